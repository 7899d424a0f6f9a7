#pragma once
// Temperature, top-p, max new tokens, seed and think budget in one row: how the chat and compare
// panels sample.

#include "widgets/model_worker.h"

#include <QWidget>

class QDoubleSpinBox;
class QSpinBox;

namespace thinkbench::widgets {

class SamplingBar : public QWidget {
    Q_OBJECT

public:
    explicit SamplingBar(QWidget* parent = nullptr);
    SamplingSettings settings() const;
    void setSettings(const SamplingSettings& settings);

private:
    QDoubleSpinBox* temperature_;
    QDoubleSpinBox* topP_;
    QSpinBox* maxNewTokens_;
    QSpinBox* seed_;
    QSpinBox* thinkBudget_;
};

} // namespace thinkbench::widgets
