#pragma once
// The form of one stage of the recipe being edited: its name and a typed editor per setting. The
// fields are those core::stageSettingsJson writes for the stage kind's defaults (the one field
// list of core/recipe), so fields the file leaves out still show, at their default; choices offer
// the names core::stageSettingChoices gives. Edits are written into the document at once.

#include "core/recipe/setting_choices.h"

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <QWidget>

class QFormLayout;

namespace thinkbench::widgets {

class RecipeDocument;

class StageForm : public QWidget {
    Q_OBJECT

public:
    // Editors are named by their dotted key ("optimizer.lr") for findChild.
    StageForm(RecipeDocument& document, int stage, QWidget* parent = nullptr);

signals:
    // A field's edit is in the document.
    void edited();

private:
    void addFields(QFormLayout* form, const nlohmann::json& defaults, const toml::table* values,
                   const QStringList& path);
    // A free-form table (no field list in core): editors typed by the values themselves.
    void addFreeFields(QFormLayout* form, const toml::table& values, const QStringList& path);
    QWidget* fieldEditor(const nlohmann::json& kind, const toml::node* node, const QStringList& path);
    template <typename T> void write(const QStringList& path, T value);

    RecipeDocument& document_;
    int stage_;
    core::SettingChoices choices_;
};

} // namespace thinkbench::widgets
