#include "core/tasks/verifier.h"

#include "core/tasks/check_budget.h"
#include "core/tasks/exact.h"
#include "core/text/trim.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>
#include <vector>

namespace thinkbench::core {

namespace {

bool isLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// A trailing unit after a number: "12 cm", "5 apples", "3 \text{ meters}", "12 cm^2", "9.8 m/s^2".
// A power goes with a unit word or a one-letter unit (m, s, g, L), not with x as in "2x^2". The
// number, as the regex ^([-+]?[\d.,/\s]*\d)\s*(?:(?:(?:[a-zA-Z]{2,}|[msgL])\^\{?-?\d\}?|[a-zA-Z]+)
// \.?\s*/?\s*)+$ captures it, scanned by hand: the regex backtracks exponentially on "1 aaa…a1".
std::optional<std::string> numberBeforeUnit(std::string_view s)
{
    auto isSpace = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    auto isDigit = [](char c) { return c >= '0' && c <= '9'; };
    size_t i = !s.empty() && (s[0] == '-' || s[0] == '+');
    std::optional<size_t> lastDigit;
    for (; i < s.size() &&
           (isDigit(s[i]) || isSpace(s[i]) || std::string_view(".,/").find(s[i]) != std::string_view::npos);
         ++i)
        if (isDigit(s[i]))
            lastDigit = i;
    // Only white space may stand between the number's last digit and the first unit.
    if (!lastDigit || i == s.size())
        return std::nullopt;
    for (size_t j = *lastDigit + 1; j < i; ++j)
        if (!isSpace(s[j]))
            return std::nullopt;
    while (i < s.size()) {
        const size_t word = i;
        while (i < s.size() && isLetter(s[i]))
            ++i;
        if (i == word)
            return std::nullopt;
        if (i < s.size() && s[i] == '^') {
            if (i - word < 2 && std::string_view("msgL").find(s[word]) == std::string_view::npos)
                return std::nullopt;
            i += 1 + (i + 1 < s.size() && s[i + 1] == '{');
            i += i < s.size() && s[i] == '-';
            if (i == s.size() || !isDigit(s[i]))
                return std::nullopt;
            ++i;
            i += i < s.size() && s[i] == '}';
        }
        i += i < s.size() && s[i] == '.';
        while (i < s.size() && isSpace(s[i]))
            ++i;
        i += i < s.size() && s[i] == '/';
        while (i < s.size() && isSpace(s[i]))
            ++i;
    }
    return std::string(s.substr(0, *lastDigit + 1));
}

// Removes \text{...} wrappers (keeping their content), \left/\right, units and decorations around
// an answer.
std::string stripDecorations(std::string s)
{
    static const std::regex wrapper(R"(\\(?:text|textbf|mathrm|mathbf|operatorname)\{([^{}]*)\})");
    static const std::regex sizing(R"(\\(?:left|right)(?:\.|(?![a-zA-Z])))"); // \left( and \right., not \leftarrow
    s = std::regex_replace(s, wrapper, "$1");
    s = std::regex_replace(s, sizing, "");
    // Spacing commands (\, \! and "\ "), read left to right so the row break "\\ " stays whole.
    std::string unspaced;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && std::string_view(",! ").find(s[i + 1]) != std::string_view::npos) {
            ++i;
            continue;
        }
        unspaced += s[i];
        if (s[i] == '\\' && i + 1 < s.size())
            unspaced += s[++i];
    }
    s = unspaced;
    for (const char* noise : {"$", "^\\circ", "^{\\circ}", "°"}) {
        for (size_t at; (at = s.find(noise)) != std::string::npos;)
            s.erase(at, std::char_traits<char>::length(noise));
    }
    s = trimmed(s);
    while (!s.empty() && (s.back() == '.' || s.back() == ';'))
        s.pop_back();
    // A closing brace that closes nothing, as in "\frac{1}{2}}", is a slip, not part of the answer.
    for (auto depth = std::count(s.begin(), s.end(), '{') - std::count(s.begin(), s.end(), '}');
         depth < 0 && !s.empty() && s.back() == '}'; ++depth)
        s.pop_back();
    if (const auto number = numberBeforeUnit(s);
        number && number->find_first_not_of("0123456789.,/ -+") == std::string::npos)
        s = *number;
    return trimmed(s);
}

// Splits "a, b, c" at top-level commas (not inside brackets).
std::vector<std::string> splitTopLevel(std::string_view s)
{
    std::vector<std::string> parts;
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '(' || c == '[' || c == '{')
            ++depth;
        else if (c == ')' || c == ']' || c == '}')
            --depth;
        else if (c == ',' && depth == 0) {
            parts.push_back(trimmed(s.substr(start, i - start)));
            start = i + 1;
        }
    }
    parts.push_back(trimmed(s.substr(start)));
    return parts;
}

// "x = 5" names the unknown and its value; the value is the answer.
struct Assignment {
    std::string variable, value;
};
std::optional<Assignment> assignment(const std::string& s)
{
    static const std::regex equation(R"(^([a-zA-Z](?:_\{?\w+\}?)?)\s*=\s*([^=]+)$)");
    std::smatch m;
    if (!std::regex_match(s, m, equation))
        return std::nullopt;
    return Assignment{m[1].str(), trimmed(m[2].str())};
}

// "74\%" without its percent sign, when it has one.
std::optional<std::string> withoutPercent(const std::string& s)
{
    for (std::string_view sign : {"\\%", "%"})
        if (s.ends_with(sign))
            return trimmed(std::string_view(s).substr(0, s.size() - sign.size()));
    return std::nullopt;
}

std::vector<std::string> splitOn(std::string_view s, std::string_view separator)
{
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
        const size_t end = s.find(separator, start);
        parts.push_back(trimmed(s.substr(start, end == std::string_view::npos ? end : end - start)));
        if (end == std::string_view::npos)
            return parts;
        start = end + separator.size();
    }
}

using Matrix = std::vector<std::vector<std::string>>;

// The cells of \begin{pmatrix} a & b \\ c & d \end{pmatrix} (also bmatrix, Bmatrix, matrix; not
// vmatrix, a determinant), row by row.
std::optional<Matrix> matrixCells(const std::string& s)
{
    // By hand, not std::regex: libstdc++'s matcher recurses once per character, and an answer is
    // long enough to overflow a worker thread's stack (seen under ASan).
    std::optional<std::string> body;
    for (const char* name : {"pmatrix", "bmatrix", "Bmatrix", "matrix"}) {
        const std::string begin = std::string("\\begin{") + name + "}", end = std::string("\\end{") + name + "}";
        if (s.size() >= begin.size() + end.size() && s.starts_with(begin) && s.ends_with(end))
            body = s.substr(begin.size(), s.size() - begin.size() - end.size());
    }
    if (!body)
        return std::nullopt;
    std::vector<std::string> rows = splitOn(*body, "\\\\");
    if (rows.size() > 1 && rows.back().empty())
        rows.pop_back(); // a trailing \\ ends the last row without starting another
    Matrix cells;
    for (const auto& row : rows)
        cells.push_back(splitOn(row, "&"));
    return cells;
}

std::optional<char> choiceLetter(const std::string& s)
{
    static const std::regex letter(R"(^\(?([A-Ea-e])\)?[.:)]?$)");
    static const std::regex phrase(R"(^(?:option|choice|answer)\s*:?\s*\(?([A-Ea-e])\)?$)", std::regex::icase);
    std::smatch m;
    if (std::regex_match(s, m, letter) || std::regex_match(s, m, phrase))
        return static_cast<char>(std::toupper(m[1].str()[0]));
    return std::nullopt;
}

// One side of a comparison, evaluated once: sets compare every item with every other.
struct Scalar {
    explicit Scalar(const std::string& text)
        : value(evaluateExact(text))
        , nonEmpty(!text.empty())
    {
        for (const unsigned char c : text)
            if (!std::isspace(c))
                squashed += static_cast<char>(std::tolower(c));
    }
    std::optional<ExactValue> value;
    bool nonEmpty;
    std::string squashed; // lower case, no white space
};

bool sameScalar(const Scalar& a, const Scalar& b)
{
    CheckBudget::spend();
    if (a.value && b.value)
        return *a.value == *b.value;
    if (a.value || b.value)
        return false; // a number against text
    return a.nonEmpty && a.squashed == b.squashed;
}

bool scalarEquivalent(const std::string& a, const std::string& b)
{
    return sameScalar(Scalar(a), Scalar(b));
}

struct Bracketed {
    char open, close;
    std::vector<std::string> items;
};

// "(1, 2]", "{a, b}", "[3, 4)" and bare comma lists.
std::optional<Bracketed> bracketed(const std::string& s)
{
    std::string t = s;
    for (const char* escape : {"\\{", "\\}"})
        for (size_t at; (at = t.find(escape)) != std::string::npos;)
            t.erase(at, 1);
    if (t.size() >= 2 && std::string("([{").find(t.front()) != std::string::npos &&
        std::string(")]}").find(t.back()) != std::string::npos) {
        // One bracket pair around the whole text, not "(1)+(2)".
        int depth = 0;
        for (size_t i = 0; i < t.size(); ++i) {
            depth += (t[i] == '(' || t[i] == '[' || t[i] == '{') - (t[i] == ')' || t[i] == ']' || t[i] == '}');
            if (depth == 0 && i + 1 < t.size())
                return std::nullopt;
        }
        auto items = splitTopLevel(std::string_view(t).substr(1, t.size() - 2));
        if (items.size() < 2 && t.front() != '{')
            return std::nullopt;
        return Bracketed{t.front(), t.back(), items};
    }
    auto items = splitTopLevel(t);
    if (items.size() < 2)
        return std::nullopt;
    return Bracketed{0, 0, items};
}

bool multisetEqual(const std::vector<std::string>& a, const std::vector<std::string>& b)
{
    if (a.size() != b.size())
        return false;
    std::vector<Scalar> left(b.begin(), b.end());
    for (const auto& x : a) {
        const Scalar item(x);
        auto it = std::find_if(left.begin(), left.end(), [&](const Scalar& y) { return sameScalar(item, y); });
        if (it == left.end())
            return false;
        left.erase(it);
    }
    return true;
}

// Countdown: every number used at most once (from the multiset given) and the value is the target.
bool countdownCorrect(const std::string& expression, std::string_view truth)
{
    const size_t bar = truth.find('|');
    if (bar == std::string_view::npos)
        return false;
    const auto target = evaluateExact(truth.substr(0, bar));
    std::vector<long long> available;
    for (const auto& n : splitTopLevel(truth.substr(bar + 1))) {
        long long value = 0;
        const auto [end, error] = std::from_chars(n.data(), n.data() + n.size(), value);
        if (error != std::errc() || end != n.data() + n.size())
            return false; // not a list of numbers: nothing can use them
        available.push_back(value);
    }
    std::string expr = expression;
    const size_t equals = expr.find('=');
    if (equals != std::string::npos)
        expr = expr.substr(0, equals); // "3*4+1 = 13"
    static const std::regex number(R"(\d+(\.\d+)?)");
    for (auto it = std::sregex_iterator(expr.begin(), expr.end(), number); it != std::sregex_iterator(); ++it) {
        if ((*it)[1].matched)
            return false; // decimals are not allowed numbers
        if (it->length() > 18)
            return false; // longer than any given number, and beyond long long
        const long long n = std::stoll(it->str());
        auto found = std::find(available.begin(), available.end(), n);
        if (found == available.end())
            return false;
        available.erase(found);
    }
    // Only numbers and the four operations: "3e2" (scientific notation) would be a number not given.
    static const std::regex operation(R"(\\(?:times|div|cdot))");
    if (std::regex_replace(expr, operation, "").find_first_not_of("0123456789+-*/() ") != std::string::npos)
        return false;
    const auto value = evaluateExact(expr);
    return value && target && *value == *target;
}

bool sameAnswer(std::string_view answerText, std::string_view truthText)
{
    std::string a = stripDecorations(std::string(answerText));
    std::string t = stripDecorations(std::string(truthText));
    const auto assignedA = assignment(a), assignedT = assignment(t);
    if (assignedA && assignedT && assignedA->variable != assignedT->variable)
        return false;
    if (assignedA)
        a = assignedA->value;
    if (assignedT)
        t = assignedT->value;
    if (a.empty() || t.empty())
        return false;
    if (const auto letter = choiceLetter(t))
        return choiceLetter(a) == letter;
    if (const auto ma = matrixCells(a), mt = matrixCells(t); ma || mt) {
        if (!ma || !mt || ma->size() != mt->size())
            return false;
        for (size_t r = 0; r < ma->size(); ++r) {
            if ((*ma)[r].size() != (*mt)[r].size())
                return false;
            for (size_t c = 0; c < (*ma)[r].size(); ++c)
                if (!scalarEquivalent((*ma)[r][c], (*mt)[r][c]))
                    return false;
        }
        return true;
    }
    // Numbers first, so "1,234" is a thousand-separated number rather than a two-item list.
    if (const auto va = evaluateExact(a), vt = evaluateExact(t); va && vt) {
        if (*va == *vt)
            return true;
        // A percent sign on one side only: "74\%" also answers "74", the percentage asked for.
        const auto pa = withoutPercent(a), pt = withoutPercent(t);
        if (pa.has_value() == pt.has_value())
            return false;
        const auto ba = evaluateExact(pa.value_or(a)), bt = evaluateExact(pt.value_or(t));
        return ba && bt && *ba == *bt;
    }
    const auto ba = bracketed(a), bt = bracketed(t);
    if (ba || bt) {
        if (!ba || !bt)
            return false;
        const bool setA = ba->open == '{' || ba->open == 0, setT = bt->open == '{' || bt->open == 0;
        if (setA && setT) // sets and bare lists: order does not matter
            return multisetEqual(ba->items, bt->items);
        // Tuples and intervals: same brackets (open/closed ends matter), same items in order.
        if (ba->open != bt->open || ba->close != bt->close || ba->items.size() != bt->items.size())
            return false;
        for (size_t i = 0; i < ba->items.size(); ++i)
            if (!scalarEquivalent(ba->items[i], bt->items[i]))
                return false;
        return true;
    }
    return scalarEquivalent(a, t);
}

} // namespace

bool equivalent(std::string_view answer, std::string_view truth)
{
    if (answer.size() > kMaxAnswerBytes || truth.size() > kMaxAnswerBytes)
        return false;
    return underCheckBudget([&] { return sameAnswer(answer, truth); }, false);
}

Verdict verify(std::string_view response, std::string_view truth, std::string_view task)
{
    const Extraction e = extractAnswer(response);
    Verdict v;
    v.extracted = e.answer;
    v.rule = e.rule;
    if (e.rule == ExtractionRule::None)
        return v;
    if (e.answer.size() > kMaxAnswerBytes || truth.size() > kMaxAnswerBytes) {
        v.overBudget = true;
        return v;
    }
    const CheckBudget budget;
    try {
        v.correct =
            task == "countdown" ? countdownCorrect(stripDecorations(e.answer), truth) : sameAnswer(e.answer, truth);
    } catch (const CheckBudgetExhausted&) {
        v.overBudget = true;
    }
    return v;
}

} // namespace thinkbench::core
