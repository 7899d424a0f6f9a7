#include "training/distributed/sample_exchange.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>

namespace thinkbench::training {

namespace {

using json = nlohmann::json;

json toJson(const core::SampleRecord& r)
{
    return {{"prompt", r.prompt},
            {"completion", r.completion},
            {"reward_parts", r.rewardParts},
            {"reward", r.reward},
            {"correct", r.correct},
            {"tokens", r.tokenCount},
            {"extracted", r.extracted},
            {"logprobs", r.tokenLogprobs},
            {"entropies", r.tokenEntropies},
            {"ids", r.tokenIds},
            {"group", r.groupIndex ? json(*r.groupIndex) : json()},
            {"advantage", r.advantage ? json(*r.advantage) : json()}};
}

core::SampleRecord fromJson(const json& j)
{
    core::SampleRecord r;
    r.prompt = j.at("prompt");
    r.completion = j.at("completion");
    r.rewardParts = j.at("reward_parts");
    r.reward = j.at("reward");
    r.correct = j.at("correct");
    r.tokenCount = j.at("tokens");
    r.extracted = j.at("extracted");
    r.tokenLogprobs = j.at("logprobs").get<std::vector<float>>();
    r.tokenEntropies = j.at("entropies").get<std::vector<float>>();
    r.tokenIds = j.at("ids").get<std::vector<int32_t>>();
    if (!j.at("group").is_null())
        r.groupIndex = j.at("group").get<int>();
    if (!j.at("advantage").is_null())
        r.advantage = j.at("advantage").get<double>();
    return r;
}

} // namespace

std::vector<core::SampleRecord> gatherSamples(ProcessGroup* group, std::vector<core::SampleRecord> mine)
{
    if (!group)
        return mine;
    json records = json::array();
    for (const auto& r : mine) {
        json j = toJson(r);
        if (r.groupIndex)
            j["group"] = *r.groupIndex * group->size() + group->rank();
        records.push_back(std::move(j));
    }
    const std::string bytes = records.dump();
    // Every rank's bytes side by side: the lengths first, then each rank fills its own span.
    at::Tensor lengths = torch::zeros({group->size()}, torch::kInt64);
    lengths[group->rank()] = int64_t(bytes.size());
    group->allReduceSum(lengths);
    const auto length = lengths.accessor<int64_t, 1>();
    int64_t offset = 0, total = 0;
    for (int r = 0; r < group->size(); ++r) {
        offset += r < group->rank() ? length[r] : 0;
        total += length[r];
    }
    at::Tensor joined = torch::zeros({total}, torch::kUInt8);
    std::copy(bytes.begin(), bytes.end(), joined.data_ptr<uint8_t>() + offset);
    group->allReduceSum(joined);
    if (group->rank() != 0)
        return {};
    std::vector<core::SampleRecord> all;
    const char* data = reinterpret_cast<const char*>(joined.data_ptr<uint8_t>());
    int64_t from = 0;
    for (int r = 0; r < group->size(); ++r) {
        for (const auto& j : json::parse(data + from, data + from + length[r]))
            all.push_back(fromJson(j));
        from += length[r];
    }
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
        return a.groupIndex.value_or(-1) < b.groupIndex.value_or(-1);
    });
    return all;
}

} // namespace thinkbench::training
