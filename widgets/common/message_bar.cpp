#include "widgets/common/message_bar.h"

namespace thinkbench::widgets {

MessageBar::MessageBar(QWidget* parent)
    : QLabel(parent)
{
    setObjectName(QStringLiteral("messageBar"));
    setWordWrap(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    setStyleSheet(QStringLiteral("QLabel { background: #fde7e9; color: #8a1c24; "
                                 "border: 1px solid #e8a3a9; padding: 4px; }"));
    hide();
}

void MessageBar::showMessage(const QString& message)
{
    setText(message);
    show();
}

QString MessageBar::message() const
{
    return isHidden() ? QString() : text();
}

} // namespace thinkbench::widgets
