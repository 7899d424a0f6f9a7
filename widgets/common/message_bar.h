#pragma once
// A panel's error line: red, wrapping, selectable, hidden until there is something to say. The
// engine's messages name the file or field at fault, so they are shown as they come.

#include <QLabel>

namespace thinkbench::widgets {

class MessageBar : public QLabel {
    Q_OBJECT

public:
    explicit MessageBar(QWidget* parent = nullptr);
    void showMessage(const QString& message);
    // What it shows; empty while hidden.
    QString message() const;
};

} // namespace thinkbench::widgets
