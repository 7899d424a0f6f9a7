#include "widgets/common/stream_text.h"

#include <QAbstractTextDocumentLayout>
#include <QTextCursor>
#include <QtMath>

namespace thinkbench::widgets {

StreamText::StreamText(QWidget* parent)
    : QTextEdit(parent)
{
    setReadOnly(true);
    setFrameShape(QFrame::NoFrame);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    viewport()->setAutoFillBackground(false);
    document()->setDocumentMargin(0);
    setFixedHeight(0);
    connect(document()->documentLayout(), &QAbstractTextDocumentLayout::documentSizeChanged, this,
            [this](const QSizeF& size) { setFixedHeight(qCeil(size.height())); });
}

void StreamText::setStreamText(const QString& text)
{
    if (!text_.isEmpty() && text.startsWith(text_)) {
        QTextCursor cursor(document());
        cursor.movePosition(QTextCursor::End);
        cursor.insertText(text.mid(text_.size()));
    } else if (text != text_) {
        setPlainText(text);
    }
    text_ = text;
}

} // namespace thinkbench::widgets
