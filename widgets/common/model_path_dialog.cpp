#include "widgets/common/model_path_dialog.h"

#include <QCoreApplication>
#include <QFileDialog>
#include <QFileInfo>

namespace thinkbench::widgets {

QString askModelPath(QWidget* parent, const QString& current)
{
    const QFileInfo at(current);
    const QString start = at.isDir() ? at.absoluteFilePath() : at.absolutePath();
    const QString chosen = QFileDialog::getOpenFileName(
        parent, QCoreApplication::translate("ModelPathDialog", "Open model"), current.isEmpty() ? QString() : start,
        QCoreApplication::translate("ModelPathDialog",
                                    "Models (*.gguf config.json);;GGUF files (*.gguf);;Model folders (config.json)"));
    if (chosen.isEmpty())
        return {};
    const QFileInfo file(chosen);
    return file.fileName() == QLatin1String("config.json") ? file.absolutePath() : file.absoluteFilePath();
}

} // namespace thinkbench::widgets
