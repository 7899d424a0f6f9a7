#pragma once
// The stage editor: a recipe as a list of stages (add, remove, reorder) with a form of typed fields
// for the selected stage, beside its TOML kept in sync both ways. The form (stage_editor/stage_form)
// is built from the stage's settings as core::stageSettingsJson writes them (the one field list of
// core/recipe), so a new setting shows up without a change here. The TOML text is the document
// (stage_editor/recipe_document): form edits rewrite it; text edits are re-parsed after a pause
// and, when they do not parse, leave the form as it was and show the problem (file:line:column
// key) in red.

#include "core/recipe/recipe.h"

#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QScrollArea;
class QTimer;

namespace thinkbench::widgets {

class RecipeDocument;

class StageEditor : public QWidget {
    Q_OBJECT

public:
    explicit StageEditor(QWidget* parent = nullptr);
    ~StageEditor() override;

    // Fills the built-in recipe menu with the folder's *.toml files (resources/recipes).
    void setRecipeDirectory(const QString& directory);
    QStringList builtInRecipes() const;

    // Opens a recipe file. False (the problem shown) when it cannot be read or is not a valid
    // recipe; a file with problems still fills the form as far as its TOML parses.
    bool openRecipe(const QString& path);
    // Replaces the document; fileName names it in error messages.
    bool setRecipeText(const QString& text, const QString& fileName = QStringLiteral("recipe.toml"));
    bool saveRecipe(const QString& path);
    QString recipePath() const { return path_; }
    QString tomlText() const;

    // Whether the current text is a valid recipe, and the last valid recipe.
    bool isValid() const { return valid_; }
    const core::Recipe& recipe() const { return recipe_; }
    QString errorText() const;

    int stageCount() const;
    int currentStage() const;
    void setCurrentStage(int index);
    // Inserts a stage with default settings after the current one and selects it.
    void addStage(core::StageKind kind);
    void removeStage(int index);
    void moveStage(int from, int to);
    // The form's editor of a field of the current stage, by dotted key ("optimizer.lr").
    QWidget* fieldEditor(const QString& keyPath) const;

signals:
    // The text changed and is a valid recipe.
    void recipeChanged();
    void recipeSaved(const QString& path);

private:
    void applyText(bool adoptInvalid);
    void regenerate();
    // Shows the text's problems; a valid text becomes the recipe.
    void adopt(const std::string& text, const std::vector<core::RecipeIssue>& issues);
    void showIssues(const std::vector<core::RecipeIssue>& issues);
    void rebuildList();
    void rebuildForm();
    QString stageTitle(int index) const;
    void setFormEnabled(bool enabled);
    void revealStage(int index);
    // After a stage was added, removed or moved: text, list and form follow.
    void stageListEdited();
    void chooseOpen();
    void chooseSave();

    std::unique_ptr<RecipeDocument> doc_;
    core::Recipe recipe_;
    bool valid_ = false;
    QString path_;
    QString fileName_ = QStringLiteral("recipe.toml");
    QString recipeDirectory_;
    int current_ = -1;

    QComboBox* builtIns_;
    QLabel* fileLabel_;
    QListWidget* stageList_;
    QComboBox* kindBox_;
    QPushButton* addButton_;
    QPushButton* removeButton_;
    QPushButton* upButton_;
    QPushButton* downButton_;
    QLabel* formTitle_;
    QScrollArea* formArea_;
    QPlainTextEdit* text_;
    QLabel* error_;
    QTimer* parseTimer_;
};

} // namespace thinkbench::widgets
