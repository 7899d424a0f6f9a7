#include "widgets/common/sampling_bar.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>

#include <limits>

namespace thinkbench::widgets {

SamplingBar::SamplingBar(QWidget* parent)
    : QWidget(parent)
    , temperature_(new QDoubleSpinBox(this))
    , topP_(new QDoubleSpinBox(this))
    , maxNewTokens_(new QSpinBox(this))
    , seed_(new QSpinBox(this))
    , thinkBudget_(new QSpinBox(this))
{
    temperature_->setRange(0, 2);
    temperature_->setSingleStep(0.1);
    temperature_->setToolTip(tr("0 samples greedily"));
    topP_->setRange(0.01, 1);
    topP_->setSingleStep(0.05);
    maxNewTokens_->setRange(1, 32768);
    seed_->setRange(0, std::numeric_limits<int>::max());
    thinkBudget_->setRange(-1, 32768);
    thinkBudget_->setSpecialValueText(tr("unlimited"));
    thinkBudget_->setToolTip(tr("Reasoning tokens before the thought is closed"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    const std::pair<QString, QWidget*> fields[] = {{tr("Temperature"), temperature_},
                                                   {tr("Top-p"), topP_},
                                                   {tr("Max new tokens"), maxNewTokens_},
                                                   {tr("Seed"), seed_},
                                                   {tr("Think budget"), thinkBudget_}};
    for (const auto& [name, field] : fields) {
        auto* label = new QLabel(name, this);
        label->setBuddy(field);
        layout->addWidget(label);
        layout->addWidget(field);
    }
    layout->addStretch(1);
    setSettings({});
}

SamplingSettings SamplingBar::settings() const
{
    return {temperature_->value(), topP_->value(), maxNewTokens_->value(), thinkBudget_->value(),
            static_cast<quint64>(seed_->value())};
}

void SamplingBar::setSettings(const SamplingSettings& settings)
{
    temperature_->setValue(settings.temperature);
    topP_->setValue(settings.topP);
    maxNewTokens_->setValue(settings.maxNewTokens);
    seed_->setValue(static_cast<int>(settings.seed));
    thinkBudget_->setValue(settings.thinkBudget);
}

} // namespace thinkbench::widgets
