#include "widgets/common/reflection_html.h"

#include "core/text/reflection_markers.h"

namespace thinkbench::widgets {

QString reflectionMarkedHtml(const std::string& text)
{
    const auto escaped = [&](size_t from, size_t to) {
        return QString::fromStdString(text.substr(from, to - from)).toHtmlEscaped();
    };
    QString html;
    size_t last = 0;
    for (const core::TextSpan& m : core::findReflections(text)) {
        html += escaped(last, m.begin);
        html += QStringLiteral("<span style=\"background:#ffd27f;color:#7a3b00;font-weight:bold\">") +
                escaped(m.begin, m.end) + QStringLiteral("</span>");
        last = m.end;
    }
    html += escaped(last, text.size());
    return html.replace(QLatin1Char('\n'), QStringLiteral("<br>"));
}

} // namespace thinkbench::widgets
