#pragma once
// Asks for a local model: a .gguf file (what LM Studio and Ollama keep on disk), or a folder
// (Hugging Face checkpoint, a run's checkpoint) chosen by its config.json. Qt's file dialogs pick
// files or folders, never either, so one dialog of files serves both. The chat panel and the compare
// line-up open it from their "Browse…" buttons.

#include <QString>

class QWidget;

namespace thinkbench::widgets {

// The model's path as the model fields take it (the folder for a config.json); empty when
// cancelled. current: the field's text, where the dialog starts.
QString askModelPath(QWidget* parent, const QString& current);

} // namespace thinkbench::widgets
