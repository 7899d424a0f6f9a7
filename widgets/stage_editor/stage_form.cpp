#include "widgets/stage_editor/stage_form.h"
#include "widgets/stage_editor/recipe_document.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleValidator>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

#include <algorithm>
#include <climits>

namespace thinkbench::widgets {

template <typename T> void StageForm::write(const QStringList& path, T value)
{
    document_.set(stage_, path, std::move(value));
    emit edited();
}

StageForm::StageForm(RecipeDocument& document, int stage, QWidget* parent)
    : QWidget(parent)
    , document_(document)
    , stage_(stage)
{
    auto* layout = new QFormLayout(this);
    layout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const toml::table* values = document.stage(stage);
    const auto kind = document.stageKind(stage);
    if (!values)
        return;
    if (!kind) {
        layout->addRow(new QLabel(tr("Set a valid kind in the TOML view.")));
        return;
    }
    auto* name = new QLineEdit(QString::fromStdString(document.stageName(stage)));
    name->setObjectName(QStringLiteral("name"));
    connect(name, &QLineEdit::textEdited, this,
            [this](const QString& text) { write(QStringList{QStringLiteral("name")}, text.toStdString()); });
    layout->addRow(tr("name"), name);
    const core::StageSpec defaults = core::defaultStage(*kind);
    choices_ = core::stageSettingChoices(defaults);
    addFields(layout, core::stageSettingsJson(defaults), values, {});
}

void StageForm::addFields(QFormLayout* form, const nlohmann::json& defaults, const toml::table* values,
                          const QStringList& path)
{
    for (const auto& [key, fallback] : defaults.items()) {
        const QString name = QString::fromStdString(key);
        const toml::node* node = values ? values->get(key) : nullptr;
        const QStringList sub = path + QStringList{name};
        if (fallback.is_object()) {
            // A settings group has fields of its own; an empty object is a free-form table
            // (e.g. a distillation student's config.json fields).
            auto* box = new QGroupBox(name);
            box->setObjectName(sub.join('.'));
            auto* inner = new QFormLayout(box);
            if (!fallback.empty())
                addFields(inner, fallback, node ? node->as_table() : nullptr, sub);
            else if (node && node->is_table() && !node->as_table()->empty())
                addFreeFields(inner, *node->as_table(), sub);
            else
                inner->addRow(new QLabel(tr("(empty: add keys in the TOML view)")));
            form->addRow(box);
        } else {
            form->addRow(name, fieldEditor(fallback, node, sub));
        }
    }
}

void StageForm::addFreeFields(QFormLayout* form, const toml::table& values, const QStringList& path)
{
    for (const auto& [key, node] : values) {
        const QString name = QString::fromUtf8(key.str().data(), qsizetype(key.str().size()));
        const QStringList sub = path + QStringList{name};
        nlohmann::json kind;
        if (node.is_integer())
            kind = 0;
        else if (node.is_floating_point())
            kind = 0.0;
        else if (node.is_boolean())
            kind = false;
        else if (node.is_string())
            kind = "";
        else if (node.is_table()) {
            auto* box = new QGroupBox(name);
            auto* inner = new QFormLayout(box);
            addFreeFields(inner, *node.as_table(), sub);
            form->addRow(box);
            continue;
        } else {
            continue; // arrays of mixed values are edited in the TOML view
        }
        form->addRow(name, fieldEditor(kind, &node, sub));
    }
}

// `kind` is the field's default (or, in a free-form table, a value of its type): it types the
// editor; `node` is the document's value, if the file sets one.
QWidget* StageForm::fieldEditor(const nlohmann::json& kind, const toml::node* node, const QStringList& path)
{
    QWidget* widget = nullptr;
    if (kind.is_number_integer()) {
        const int64_t value = node && node->is_integer() ? *node->value<int64_t>() : kind.get<int64_t>();
        auto* spin = new QSpinBox;
        spin->setRange(int(std::min<int64_t>(0, value)), INT_MAX);
        spin->setValue(int(value));
        spin->setAccelerated(true);
        connect(spin, &QSpinBox::valueChanged, this, [this, path](int v) { write(path, int64_t(v)); });
        widget = spin;
    } else if (kind.is_number()) {
        const double value = node && node->is_number() ? *node->value<double>() : kind.get<double>();
        auto* edit = new QLineEdit(QString::number(value, 'g', 12));
        auto* validator = new QDoubleValidator(edit);
        validator->setNotation(QDoubleValidator::ScientificNotation);
        validator->setLocale(QLocale::c());
        edit->setValidator(validator);
        connect(edit, &QLineEdit::textEdited, this, [this, path, edit] {
            bool ok = false;
            const double v = QLocale::c().toDouble(edit->text(), &ok);
            if (ok && edit->hasAcceptableInput())
                write(path, v);
        });
        widget = edit;
    } else if (kind.is_boolean()) {
        auto* check = new QCheckBox;
        check->setChecked(node && node->is_boolean() ? *node->value<bool>() : kind.get<bool>());
        connect(check, &QCheckBox::toggled, this, [this, path](bool v) { write(path, v); });
        widget = check;
    } else if (kind.is_array()) {
        // A list of strings, written comma-separated.
        QStringList items;
        if (const toml::array* array = node ? node->as_array() : nullptr)
            for (const auto& item : *array)
                if (auto s = item.value<std::string>())
                    items << QString::fromStdString(*s);
        auto* edit = new QLineEdit(items.join(QStringLiteral(", ")));
        edit->setPlaceholderText(tr("comma-separated"));
        connect(edit, &QLineEdit::textEdited, this, [this, path](const QString& text) {
            toml::array array;
            for (const QString& item : text.split(',', Qt::SkipEmptyParts))
                if (!item.trimmed().isEmpty())
                    array.push_back(item.trimmed().toStdString());
            write(path, std::move(array));
        });
        widget = edit;
    } else {
        const auto value = node ? node->value<std::string>() : std::nullopt;
        const QString text = QString::fromStdString(value ? *value : kind.get<std::string>());
        if (const auto choices = choices_.find(path.join('.').toStdString()); choices != choices_.end()) {
            auto* box = new QComboBox;
            for (const std::string& choice : choices->second)
                box->addItem(QString::fromStdString(choice));
            if (box->findText(text) < 0)
                box->addItem(text); // a name the recipe's checks reject: shown as the file has it
            box->setCurrentText(text);
            connect(box, &QComboBox::textActivated, this,
                    [this, path](const QString& choice) { write(path, choice.toStdString()); });
            widget = box;
        } else {
            auto* edit = new QLineEdit(text);
            connect(edit, &QLineEdit::textEdited, this,
                    [this, path](const QString& edited) { write(path, edited.toStdString()); });
            widget = edit;
        }
    }
    widget->setObjectName(path.join('.'));
    return widget;
}

} // namespace thinkbench::widgets
