#include "core/tokenizer/vocabulary.h"

#include <functional>

namespace thinkbench::core {

void Vocabulary::reserve(size_t entries, size_t bytes)
{
    bytes_.reserve(bytes);
    ends_.reserve(entries);
    ids_.reserve(entries);
    reserveIndex(entries);
}

void Vocabulary::reserveIndex(size_t entries)
{
    size_t slots = 16;
    while (slots < 2 * entries)
        slots *= 2;
    if (slots > index_.size())
        rebuildIndex(slots);
}

std::string_view Vocabulary::entryText(size_t entry) const
{
    const size_t begin = entry == 0 ? 0 : ends_[entry - 1];
    return std::string_view(bytes_).substr(begin, ends_[entry] - begin);
}

size_t Vocabulary::slotOf(std::string_view text) const
{
    const size_t mask = index_.size() - 1;
    for (size_t slot = std::hash<std::string_view>{}(text)&mask;; slot = (slot + 1) & mask)
        if (index_[slot] < 0 || entryText(static_cast<size_t>(index_[slot])) == text)
            return slot;
}

void Vocabulary::rebuildIndex(size_t slots)
{
    index_.assign(slots, -1);
    for (size_t entry = 0; entry < ids_.size(); ++entry)
        index_[slotOf(entryText(entry))] = static_cast<int32_t>(entry);
}

void Vocabulary::add(std::string_view text, int32_t id)
{
    reserveIndex(ids_.size() + 1);
    const size_t slot = slotOf(text);
    if (index_[slot] >= 0)
        return;
    const auto entry = static_cast<int32_t>(ids_.size());
    bytes_.append(text);
    ends_.push_back(static_cast<uint32_t>(bytes_.size()));
    ids_.push_back(id);
    index_[slot] = entry;
    if (static_cast<size_t>(id) >= entryOfId_.size())
        entryOfId_.resize(static_cast<size_t>(id) + 1, -1);
    entryOfId_[static_cast<size_t>(id)] = entry;
}

std::optional<int32_t> Vocabulary::find(std::string_view text) const
{
    if (index_.empty())
        return std::nullopt;
    const int32_t entry = index_[slotOf(text)];
    if (entry < 0)
        return std::nullopt;
    return ids_[static_cast<size_t>(entry)];
}

std::string_view Vocabulary::text(int32_t id) const
{
    if (id < 0 || id >= size() || entryOfId_[static_cast<size_t>(id)] < 0)
        return {};
    return entryText(static_cast<size_t>(entryOfId_[static_cast<size_t>(id)]));
}

} // namespace thinkbench::core
