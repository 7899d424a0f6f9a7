#pragma once
// Server-sent events as OpenAI-compatible servers stream them: "data: …" lines, an event ended by
// a blank line, bytes arriving in arbitrary pieces. Only the data of each event matters here.

#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace thinkbench::inference {

class SseEvents {
public:
    using OnData = std::function<void(const std::string& data)>;
    explicit SseEvents(OnData onData);

    // Bytes as they arrive; every event completed by them goes to onData.
    void feed(std::string_view bytes);
    // The end of the stream: an event without its blank line still counts.
    void finish();

private:
    void line(std::string_view text);

    OnData onData_;
    std::string pending_; // an incomplete line
    std::string data_;    // the data lines of the event being read
    bool hasData_ = false;
};

} // namespace thinkbench::inference
