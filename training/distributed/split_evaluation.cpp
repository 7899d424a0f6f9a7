#include "training/distributed/split_evaluation.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace thinkbench::training {

namespace {

using json = nlohmann::json;

json toJson(const inference::ItemResult& item)
{
    json samples = json::array();
    for (const auto& s : item.samples)
        samples.push_back({s.completion, s.extracted, s.correct, s.wellFormed, s.tokens});
    return {{"samples", samples}, {"pass1", item.pass1}, {"consensus", item.consensus}, {"cons", item.consCorrect}};
}

inference::ItemResult fromJson(const json& j, const core::Problem& problem)
{
    inference::ItemResult item;
    item.problem = problem;
    for (const auto& s : j.at("samples"))
        item.samples.push_back(
            {s[0].get<std::string>(), s[1].get<std::string>(), s[2].get<bool>(), s[3].get<bool>(), s[4].get<int>()});
    item.pass1 = j.at("pass1").get<double>();
    item.consensus = j.at("consensus").get<std::string>();
    item.consCorrect = j.at("cons").get<bool>();
    return item;
}

} // namespace

inference::EvalResult evaluateAcrossRanks(ProcessGroup* group, const core::Transformer& model,
                                          const core::Tokenizer& tokenizer, const std::vector<core::Problem>& problems,
                                          const inference::EvalOptions& options, const std::atomic<bool>* cancel)
{
    if (!group)
        return inference::evaluate(model, tokenizer, problems, options, {}, cancel);
    // Rank r takes the r-th run of whole batches, so every problem meets the batch it has on one rank.
    const size_t perBatch = size_t(std::max(1, options.problemsPerBatch)), ranks = size_t(group->size());
    const size_t batches = (problems.size() + perBatch - 1) / perBatch;
    const size_t block = (batches + ranks - 1) / ranks * perBatch;
    const size_t from = std::min(problems.size(), size_t(group->rank()) * block);
    const size_t to = std::min(problems.size(), from + block);
    inference::EvalOptions mine = options;
    mine.seed = options.seed + from;
    const auto local = inference::evaluate(
        model, tokenizer, std::vector<core::Problem>(problems.begin() + long(from), problems.begin() + long(to)), mine,
        {}, cancel);
    json items = json::array();
    for (const auto& item : local.items)
        items.push_back(toJson(item));
    inference::EvalResult all;
    const auto everyRank = group->allGather(items.dump());
    for (size_t r = 0; r < everyRank.size(); ++r) {
        size_t i = std::min(problems.size(), r * block);
        for (const auto& j : json::parse(everyRank[r]))
            all.items.push_back(fromJson(j, problems[i++]));
    }
    all.summary = inference::summarize(all.items, options.k);
    return all;
}

} // namespace thinkbench::training
