#pragma once
// Text as HTML with its reflection markers (core::findReflections) highlighted, for any panel
// that shows a trace. It cuts at the engine's byte offsets before converting to Qt's UTF-16, so
// the marks land on the characters the engine counted.

#include <QString>

#include <string>

namespace thinkbench::widgets {

// The escaped text, line breaks as <br>, each marker in a highlighted <span>.
QString reflectionMarkedHtml(const std::string& text);

} // namespace thinkbench::widgets
