#include "inference/remote/sse_events.h"

namespace thinkbench::inference {

SseEvents::SseEvents(OnData onData)
    : onData_(std::move(onData))
{
}

void SseEvents::feed(std::string_view bytes)
{
    pending_ += bytes;
    size_t start = 0;
    for (size_t end; (end = pending_.find('\n', start)) != std::string::npos; start = end + 1) {
        std::string_view text(pending_.data() + start, end - start);
        if (text.ends_with('\r'))
            text.remove_suffix(1);
        line(text);
    }
    pending_.erase(0, start);
}

void SseEvents::finish()
{
    if (!pending_.empty())
        line(std::exchange(pending_, {}));
    line({});
}

void SseEvents::line(std::string_view text)
{
    if (text.empty()) {
        if (hasData_)
            onData_(data_);
        data_.clear();
        hasData_ = false;
        return;
    }
    if (!text.starts_with("data:"))
        return; // comments (": keep-alive"), event names and ids carry nothing needed here
    text.remove_prefix(5);
    if (text.starts_with(' '))
        text.remove_prefix(1);
    if (hasData_)
        data_ += '\n';
    data_ += text;
    hasData_ = true;
}

} // namespace thinkbench::inference
