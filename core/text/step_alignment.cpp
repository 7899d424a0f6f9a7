#include "core/text/step_alignment.h"

#include <algorithm>

namespace thinkbench::core {

std::vector<AlignedSteps> alignSteps(const std::vector<ReasoningStep>& left, const std::vector<ReasoningStep>& right)
{
    const size_t n = left.size(), m = right.size();
    // common[i][j]: length of the longest common subsequence of left[i..] and right[j..].
    std::vector<std::vector<size_t>> common(n + 1, std::vector<size_t>(m + 1, 0));
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            common[i][j] =
                left[i].text == right[j].text ? common[i + 1][j + 1] + 1 : std::max(common[i + 1][j], common[i][j + 1]);
    std::vector<AlignedSteps> rows;
    std::vector<size_t> onlyLeft, onlyRight;
    // The steps between two shared ones: paired in order, the longer run's rest on its own.
    auto flush = [&] {
        for (size_t k = 0; k < std::max(onlyLeft.size(), onlyRight.size()); ++k) {
            AlignedSteps row;
            if (k < onlyLeft.size())
                row.left = onlyLeft[k];
            if (k < onlyRight.size())
                row.right = onlyRight[k];
            rows.push_back(row);
        }
        onlyLeft.clear();
        onlyRight.clear();
    };
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && left[i].text == right[j].text) {
            flush();
            rows.push_back({i++, j++, true});
        } else if (j == m || (i < n && common[i + 1][j] >= common[i][j + 1])) {
            onlyLeft.push_back(i++);
        } else {
            onlyRight.push_back(j++);
        }
    }
    flush();
    return rows;
}

} // namespace thinkbench::core
