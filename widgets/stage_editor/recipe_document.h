#pragma once
// The recipe the stage editor edits, as its parsed TOML: the form and the stage list change it in
// place and it is written back as the text the editor shows. Keys the engine does not know survive
// that; comments and the author's key order do not (toml++ keeps keys sorted).

#include "core/recipe/recipe.h"

#include <toml++/toml.h>

#include <QStringList>

#include <optional>
#include <string>

namespace thinkbench::widgets {

class RecipeDocument {
public:
    // False, and the document unchanged, when the text is not TOML.
    bool parse(const std::string& text, const std::string& fileName);
    // TOML as people write it: the shortest floats that read back the same, "basic" strings.
    std::string text() const;

    int stageCount() const;
    const toml::table* stage(int index) const;
    std::optional<core::StageKind> stageKind(int index) const;
    std::string stageName(int index) const;

    // Sets a key of a stage by its path ("optimizer", "lr"), creating the tables above it.
    template <typename T> void set(int stage, const QStringList& path, T value)
    {
        if (toml::table* parent = parentOf(stage, path))
            parent->insert_or_assign(path.last().toStdString(), std::move(value));
    }
    // An empty list leaves the key out: core's reader rejects `[]` (no element type to check),
    // and an empty list is the default anyway.
    void set(int stage, const QStringList& path, toml::array value);

    // Inserts a stage of `kind` at `index`, named uniquely (later stages refer to it as
    // "stage:NAME") and with every setting written out, so the TOML shows what it will do.
    void insertStage(int index, core::StageKind kind);
    // False, and nothing changed, for a stage that is not there.
    bool removeStage(int index);
    bool moveStage(int from, int to);

private:
    toml::array* stages();
    toml::table* editableStage(int index);
    // The table holding the path's last key, created where missing; null without the stage.
    toml::table* parentOf(int stage, const QStringList& path);

    toml::table table_;
};

} // namespace thinkbench::widgets
