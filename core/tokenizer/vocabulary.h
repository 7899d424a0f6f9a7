#pragma once
// A BPE vocabulary, token text <-> id, in flat arrays: every token's bytes in one buffer and an
// open-addressed index of entries by text. For a 152k vocabulary that is ~3 MB, where a hash map of
// std::string keys beside a vector of std::string held ~16 MB for as long as the tokenizer lives.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace thinkbench::core {

class Vocabulary {
public:
    // Room for `entries` tokens of `bytes` bytes in all, so that loading grows nothing.
    void reserve(size_t entries, size_t bytes);
    // Adds `text` as token `id` (>= 0). A text already present keeps its first id, as a map would;
    // an id given twice names the text added last.
    void add(std::string_view text, int32_t id);

    std::optional<int32_t> find(std::string_view text) const;
    // The text of token `id`; empty for an id no token has.
    std::string_view text(int32_t id) const;
    // One past the largest id.
    int32_t size() const { return static_cast<int32_t>(entryOfId_.size()); }

    // The entries in the order added: every text with its id (tokenizer.json's "vocab").
    size_t entries() const { return ids_.size(); }
    std::string_view entryText(size_t entry) const;
    int32_t entryId(size_t entry) const { return ids_[entry]; }

private:
    size_t slotOf(std::string_view text) const; // where text is, or the empty slot it would go in
    void reserveIndex(size_t entries);          // an index at most half full with `entries` in it
    void rebuildIndex(size_t slots);

    std::string bytes_;              // every entry's text, one after another
    std::vector<uint32_t> ends_;     // [entry]: where its text ends in bytes_
    std::vector<int32_t> ids_;       // [entry]
    std::vector<int32_t> entryOfId_; // [id]: its entry, -1 for none
    std::vector<int32_t> index_;     // open addressing, a power of two at most half full: entry or -1
};

} // namespace thinkbench::core
