#include "training/distributed/sample_exchange.h"

#include <nlohmann/json.hpp>

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
    const auto everyRank = group->allGather(records.dump());
    if (group->rank() != 0)
        return {};
    std::vector<core::SampleRecord> all;
    for (const auto& bytes : everyRank)
        for (const auto& j : json::parse(bytes))
            all.push_back(fromJson(j));
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
        return a.groupIndex.value_or(-1) < b.groupIndex.value_or(-1);
    });
    return all;
}

} // namespace thinkbench::training
