#include "core/tasks/task.h"

#include "core/error.h"
#include "core/tasks/exact.h"
#include "core/tasks/verifier.h"
#include "core/text/trim.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>

namespace thinkbench::core {

namespace {

using Rng = std::mt19937_64;

int uniform(Rng& rng, int lo, int hi)
{
    return std::uniform_int_distribution<int>(lo, hi)(rng);
}

bool chance(Rng& rng, double p)
{
    return std::uniform_real_distribution<double>(0, 1)(rng) < p;
}

std::pair<int, int> parseRange(const nlohmann::json& value, const std::string& spec, const char* key)
{
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    const size_t dash = text.find('-', 1);
    try {
        const int lo = std::stoi(text.substr(0, dash));
        const int hi = dash == std::string::npos ? lo : std::stoi(text.substr(dash + 1));
        if (lo < 1 || hi < lo)
            throw std::invalid_argument("range");
        return {lo, hi};
    } catch (const std::exception&) {
        throw Error(spec, key, "expected a positive range like 1-3, got \"" + text + "\"");
    }
}

int randomWithDigits(Rng& rng, int digits)
{
    int lo = 1, hi = 9;
    for (int d = 1; d < digits; ++d) {
        lo *= 10;
        hi = hi * 10 + 9;
    }
    return uniform(rng, digits == 1 ? 0 : lo, hi);
}

// ---------------------------------------------------------------------------------------------

// Column arithmetic, written digit by digit so a problem the model never saw is a composition of
// one-digit facts it did see (TRACES.md).
const char* placeName(size_t column)
{
    static const char* names[] = {"Units", "Tens", "Hundreds", "Thousands"};
    return column < std::size(names) ? names[column] : "Next";
}

std::vector<int> digitsOf(long long n) // units first
{
    std::vector<int> d;
    do {
        d.push_back(int(n % 10));
        n /= 10;
    } while (n > 0);
    return d;
}

// "7 + 5 = 12." — or, with `slip`, first a wrong value caught with "Wait".
void columnValue(std::ostringstream& t, const std::string& terms, long long value, bool slip)
{
    t << terms << " = ";
    if (slip)
        t << value + 1 << ". Wait, " << terms << " = ";
    t << value << ".";
}

// " Write 2, carry 1." — the last column writes its whole value.
void writeColumn(std::ostringstream& t, int value, bool last)
{
    if (last)
        t << " Write " << value << ".\n";
    else
        t << " Write " << value % 10 << (value >= 10 ? ", carry " + std::to_string(value / 10) : "") << ".\n";
}

// The column steps of a + b (both ≥ 0); returns the sum.
long long columnAdd(std::ostringstream& t, long long a, long long b, Rng& rng, const TraceStyle& style)
{
    const auto da = digitsOf(a), db = digitsOf(b);
    const size_t columns = std::max(da.size(), db.size());
    int carry = 0;
    for (size_t c = 0; c < columns; ++c) {
        const int x = c < da.size() ? da[c] : 0, y = c < db.size() ? db[c] : 0;
        const int sum = x + y + carry;
        std::string terms = std::to_string(x) + " + " + std::to_string(y);
        if (carry)
            terms += " + " + std::to_string(carry);
        t << placeName(c) << ": ";
        columnValue(t, terms, sum, chance(rng, style.mistakeRate));
        writeColumn(t, sum, c + 1 == columns);
        carry = sum / 10;
    }
    return a + b;
}

// The column steps of a - b with a ≥ b ≥ 0; returns the difference.
long long columnSubtract(std::ostringstream& t, long long a, long long b, Rng& rng, const TraceStyle& style)
{
    const auto da = digitsOf(a), db = digitsOf(b);
    int borrow = 0;
    for (size_t c = 0; c < da.size(); ++c) {
        const int x = da[c], y = c < db.size() ? db[c] : 0;
        std::string terms = std::to_string(x) + " - " + std::to_string(y);
        if (borrow)
            terms += " - " + std::to_string(borrow);
        const int diff = x - y - borrow;
        if (diff < 0) {
            t << placeName(c) << ": " << terms << " is negative, borrow 10: ";
            columnValue(t, "1" + terms, diff + 10, chance(rng, style.mistakeRate));
            t << " Write " << diff + 10 << ", borrow 1.\n";
        } else {
            t << placeName(c) << ": ";
            columnValue(t, terms, diff, chance(rng, style.mistakeRate));
            t << " Write " << diff << ".\n";
        }
        borrow = diff < 0;
    }
    return a - b;
}

// The column steps of a * digit; returns the product.
long long columnTimesDigit(std::ostringstream& t, long long a, int digit, Rng& rng, const TraceStyle& style)
{
    const auto da = digitsOf(a);
    int carry = 0;
    for (size_t c = 0; c < da.size(); ++c) {
        const int product = da[c] * digit;
        const std::string terms = std::to_string(da[c]) + " * " + std::to_string(digit);
        t << placeName(c) << ": ";
        columnValue(t, terms, product, chance(rng, style.mistakeRate));
        const int value = product + carry;
        if (carry)
            t << " " << product << " + " << carry << " = " << value << ".";
        writeColumn(t, value, c + 1 == da.size());
        carry = value / 10;
    }
    return a * digit;
}

class Arithmetic : public TaskFamily {
public:
    Arithmetic(std::pair<int, int> digits, std::string ops)
        : digits_(digits)
        , ops_(std::move(ops))
    {
    }
    std::string name() const override { return "arithmetic"; }

    Problem generate(Rng& rng) const override
    {
        const char op = ops_[static_cast<size_t>(uniform(rng, 0, static_cast<int>(ops_.size()) - 1))];
        long long a = randomWithDigits(rng, uniform(rng, digits_.first, digits_.second));
        long long b = randomWithDigits(rng, uniform(rng, digits_.first, digits_.second));
        const long long result = op == '+' ? a + b : op == '-' ? a - b : a * b;
        Problem p;
        p.task = name();
        p.prompt = "What is " + std::to_string(a) + " " + op + " " + std::to_string(b) + "?";
        p.truth = std::to_string(result);
        p.meta = {{"a", a}, {"b", b}, {"op", std::string(1, op)}};
        return p;
    }

    std::pair<std::string, std::string> solve(const Problem& p, Rng& rng, const TraceStyle& style) const override
    {
        const long long a = p.meta["a"], b = p.meta["b"];
        const char op = p.meta["op"].get<std::string>()[0];
        const std::string problem = std::to_string(a) + " " + op + " " + std::to_string(b);
        std::ostringstream t;
        if (chance(rng, style.answerOnlyRate)) {
            t << problem << " = " << p.truth << ".\n";
            return {t.str(), p.truth};
        }
        if (op == '+') {
            columnAdd(t, a, b, rng, style);
        } else if (op == '-' && a >= b) {
            columnSubtract(t, a, b, rng, style);
        } else if (op == '-') {
            t << a << " is less than " << b << ", so compute " << b << " - " << a << " and negate.\n";
            columnSubtract(t, b, a, rng, style);
        } else {
            multiply(t, a, b, rng, style);
        }
        t << "So " << problem << " = " << p.truth << ".\n";
        if (chance(rng, style.selfCheckRate))
            t << "Let me verify: " << verification(a, b, op, std::stoll(p.truth)) << " Correct.\n";
        return {t.str(), p.truth};
    }

private:
    // By each digit of the shorter factor, then the partial products added up.
    static void multiply(std::ostringstream& t, long long a, long long b, Rng& rng, const TraceStyle& style)
    {
        if (digitsOf(a).size() < digitsOf(b).size()) {
            t << a << " * " << b << " = " << b << " * " << a << ".\n";
            std::swap(a, b);
        }
        const auto db = digitsOf(b);
        if (db.size() == 1) {
            columnTimesDigit(t, a, db[0], rng, style);
            return;
        }
        std::vector<long long> partials;
        long long scale = 1;
        for (size_t c = 0; c < db.size(); ++c, scale *= 10) {
            if (db[c] == 0)
                continue;
            t << a << " * " << db[c] << ":\n";
            const long long product = columnTimesDigit(t, a, db[c], rng, style);
            if (scale > 1)
                t << "So " << a << " * " << db[c] * scale << " = " << product * scale << ".\n";
            partials.push_back(product * scale);
        }
        long long total = partials[0];
        for (size_t i = 1; i < partials.size(); ++i) {
            t << "Add " << total << " + " << partials[i] << ":\n";
            total = columnAdd(t, total, partials[i], rng, style);
        }
    }

    static std::string verification(long long a, long long b, char op, long long result)
    {
        std::ostringstream v;
        if (op == '+')
            v << result << " - " << b << " = " << a << ".";
        else if (op == '-')
            v << result << " + " << b << " = " << a << ".";
        else if (b != 0)
            v << result << " / " << b << " = " << a << ".";
        else
            v << "anything times 0 is 0.";
        return v.str();
    }

    std::pair<int, int> digits_;
    std::string ops_;
};

// One left-to-right countdown step, kept to positive integers: nullopt where `op` cannot take it.
std::optional<long long> countdownStep(long long value, char op, long long n)
{
    switch (op) {
    case '+':
        return value + n;
    case '-':
        return value > n ? std::optional(value - n) : std::nullopt;
    case '*':
        return value * n;
    default:
        return n != 0 && value % n == 0 ? std::optional(value / n) : std::nullopt;
    }
}

// "8 * 2 = 16"
std::string stepText(long long value, char op, long long n, long long result)
{
    return std::to_string(value) + " " + op + " " + std::to_string(n) + " = " + std::to_string(result);
}

// Reach a target from the given numbers with + - * /, each at most once.
class Countdown : public TaskFamily {
public:
    Countdown(int numbers, int maxNumber, int maxTarget)
        : numbers_(numbers)
        , maxNumber_(maxNumber)
        , maxTarget_(maxTarget)
    {
    }
    std::string name() const override { return "countdown"; }

    Problem generate(Rng& rng) const override
    {
        while (true) {
            std::vector<int> nums;
            for (int i = 0; i < numbers_; ++i)
                nums.push_back(uniform(rng, 1, maxNumber_));
            // A random expression over all of them, left to right, keeping integers.
            long long value = nums[0];
            std::string expr = std::to_string(nums[0]);
            std::vector<std::string> steps;
            for (size_t i = 1; i < nums.size(); ++i) {
                const long long n = nums[i];
                // A subtraction that would not stay positive becomes an exact division, else an
                // addition; a division that is not exact becomes an addition.
                char symbol = "+-*/"[uniform(rng, 0, 3)];
                auto next = countdownStep(value, symbol, n);
                if (!next && symbol == '-') {
                    symbol = '/';
                    next = countdownStep(value, symbol, n);
                }
                if (!next) {
                    symbol = '+';
                    next = value + n;
                }
                steps.push_back(stepText(value, symbol, n, *next));
                expr = "(" + expr + " " + symbol + " " + std::to_string(n) + ")";
                value = *next;
            }
            if (value <= 0 || value > maxTarget_)
                continue;
            std::vector<int> shown = nums;
            std::shuffle(shown.begin(), shown.end(), rng);
            std::string list;
            for (int n : shown)
                list += (list.empty() ? "" : ",") + std::to_string(n);
            Problem p;
            p.task = name();
            p.prompt = "Using the numbers [" + list + "], create an equation that equals " + std::to_string(value) +
                       ". Use + - * / and each number at most once.";
            p.truth = std::to_string(value) + "|" + list;
            // Outer parentheses of the first step are not needed.
            p.meta = {{"solution", expr.substr(1, expr.size() - 2)}, {"steps", steps}};
            return p;
        }
    }

    // A short search: up to three left-to-right attempts that miss the target, each checked and
    // rejected, then the one that reaches it. Checking each attempt is what makes searching pay.
    std::pair<std::string, std::string> solve(const Problem& p, Rng& rng, const TraceStyle& style) const override
    {
        const long long target = std::stoll(p.truth.substr(0, p.truth.find('|')));
        const std::string solution = p.meta["solution"];
        std::ostringstream t;
        if (chance(rng, style.answerOnlyRate)) {
            t << solution << " = " << target << ".\n";
            return {t.str(), solution};
        }
        std::vector<int> numbers;
        std::stringstream list(p.truth.substr(p.truth.find('|') + 1));
        for (std::string n; std::getline(list, n, ',');)
            numbers.push_back(std::stoi(n));
        auto misses = attempts(numbers);
        std::erase_if(misses, [&](const Attempt& a) { return a.value == target; });
        std::shuffle(misses.begin(), misses.end(), rng);
        misses.resize(std::min<size_t>(misses.size(), size_t(uniform(rng, 0, 3))));
        for (const auto& miss : misses)
            t << "Try " << miss.steps << ". Wait, " << miss.value << " is not " << target << ".\n";
        t << "Try ";
        for (size_t i = 0; i < p.meta["steps"].size(); ++i)
            t << (i ? ", " : "") << p.meta["steps"][i].get<std::string>();
        t << ". That reaches " << target << ".\n";
        if (chance(rng, style.selfCheckRate))
            t << "Let me verify: " << solution << " = " << target << ". Correct.\n";
        return {t.str(), solution};
    }

private:
    struct Attempt {
        std::string steps; // "3 + 5 = 8, 8 * 2 = 16"
        long long value;
    };

    // Every left-to-right combination of all the numbers that keeps positive integers.
    static std::vector<Attempt> attempts(std::vector<int> numbers)
    {
        std::vector<Attempt> out;
        std::sort(numbers.begin(), numbers.end());
        std::function<void(long long, size_t, std::string)> extend = [&](long long value, size_t next,
                                                                         std::string steps) {
            if (next == numbers.size()) {
                out.push_back({steps, value});
                return;
            }
            const long long n = numbers[next];
            for (const char op : {'+', '-', '*', '/'})
                if (const auto result = countdownStep(value, op, n))
                    extend(*result, next + 1, steps + (steps.empty() ? "" : ", ") + stepText(value, op, n, *result));
        };
        do {
            extend(numbers[0], 1, "");
        } while (std::next_permutation(numbers.begin(), numbers.end()));
        return out;
    }

    int numbers_, maxNumber_, maxTarget_;
};

// a x + b = c x + d with a rational solution.
class Linear : public TaskFamily {
public:
    explicit Linear(std::pair<int, int> coef)
        : coef_(coef)
    {
    }
    std::string name() const override { return "linear"; }

    Problem generate(Rng& rng) const override
    {
        int a, c;
        do {
            a = uniform(rng, -coef_.second, coef_.second);
            c = uniform(rng, -coef_.second, coef_.second);
        } while (a == c || a == 0);
        const int b = uniform(rng, -20, 20), d = uniform(rng, -20, 20);
        const Rational x = Rational(d - b) / Rational(a - c);
        auto side = [](int coefficient, int constant) {
            std::string s;
            if (coefficient != 0)
                s = (coefficient == 1 ? "" : coefficient == -1 ? "-" : std::to_string(coefficient)) + "x";
            if (constant != 0 || s.empty())
                s += s.empty() ? std::to_string(constant)
                               : (constant < 0 ? " - " : " + ") + std::to_string(std::abs(constant));
            return s;
        };
        Problem p;
        p.task = name();
        p.prompt = "Solve for x: " + side(a, b) + " = " + side(c, d) + ".";
        p.truth = x.str();
        p.meta = {{"a", a}, {"b", b}, {"c", c}, {"d", d}};
        return p;
    }

    std::pair<std::string, std::string> solve(const Problem& p, Rng& rng, const TraceStyle& style) const override
    {
        const int a = p.meta["a"], b = p.meta["b"], c = p.meta["c"], d = p.meta["d"];
        std::ostringstream t;
        if (chance(rng, style.answerOnlyRate))
            return {"x = " + p.truth + ".\n", p.truth};
        t << "Move the x terms to the left and the numbers to the right.\n";
        t << "(" << a << " - " << c << ")x = " << d << " - " << b << ".\n";
        t << a - c << "x = " << d - b << ".\n";
        t << "x = " << d - b << " / " << a - c << " = " << p.truth << ".\n";
        if (chance(rng, style.selfCheckRate))
            t << "Let me verify by substituting x = " << p.truth << " into both sides. They match.\n";
        return {t.str(), p.truth};
    }

private:
    std::pair<int, int> coef_;
};

// Knights always tell the truth, knaves always lie; exactly one assignment fits the statements.
class Knights : public TaskFamily {
public:
    explicit Knights(std::pair<int, int> people)
        : people_(people)
    {
    }
    std::string name() const override { return "knights"; }

    struct Statement {
        int kind; // 0: "X is a knight", 1: "X is a knave", 2: "X and Y are the same kind"
        int x, y;
    };

    static bool holds(const Statement& s, unsigned mask)
    {
        const bool kx = mask >> s.x & 1, ky = mask >> s.y & 1;
        return s.kind == 0 ? kx : s.kind == 1 ? !kx : kx == ky;
    }

    Problem generate(Rng& rng) const override
    {
        static const char* names[] = {"Ann", "Bob", "Cy", "Dee"};
        while (true) {
            const int n = uniform(rng, people_.first, people_.second);
            std::vector<Statement> says;
            for (int i = 0; i < n; ++i) {
                int x = uniform(rng, 0, n - 1), y = uniform(rng, 0, n - 1);
                if (x == i)
                    x = (x + 1) % n;
                if (y == x)
                    y = (y + 1) % n;
                says.push_back({uniform(rng, 0, 2), x, y});
            }
            std::vector<unsigned> solutions;
            for (unsigned mask = 0; mask < (1u << n); ++mask) {
                bool fits = true;
                for (int i = 0; i < n; ++i)
                    fits &= holds(says[static_cast<size_t>(i)], mask) == static_cast<bool>(mask >> i & 1);
                if (fits)
                    solutions.push_back(mask);
            }
            if (solutions.size() != 1)
                continue;
            std::ostringstream prompt, truth;
            prompt << "On an island, knights always tell the truth and knaves always lie.";
            nlohmann::json statements = nlohmann::json::array();
            for (int i = 0; i < n; ++i) {
                const Statement& s = says[static_cast<size_t>(i)];
                std::string text = s.kind == 0 ? std::string(names[s.x]) + " is a knight"
                                   : s.kind == 1
                                       ? std::string(names[s.x]) + " is a knave"
                                       : std::string(names[s.x]) + " and " + names[s.y] + " are the same kind";
                prompt << " " << names[i] << " says: \"" << text << ".\"";
                statements.push_back({{"kind", s.kind}, {"x", s.x}, {"y", s.y}});
                truth << (i ? ", " : "") << names[i] << ": " << ((solutions[0] >> i & 1) ? "knight" : "knave");
            }
            prompt << " Who is a knight and who is a knave?";
            Problem p;
            p.task = name();
            p.prompt = prompt.str();
            p.truth = truth.str();
            p.meta = {{"n", n}, {"statements", statements}, {"solution", solutions[0]}};
            return p;
        }
    }

    std::pair<std::string, std::string> solve(const Problem& p, Rng& rng, const TraceStyle& style) const override
    {
        static const char* names[] = {"Ann", "Bob", "Cy", "Dee"};
        const int n = p.meta["n"];
        const unsigned solution = p.meta["solution"];
        std::ostringstream t;
        if (chance(rng, style.answerOnlyRate))
            return {p.truth + ".\n", p.truth};
        for (unsigned mask = 0; mask < (1u << n); ++mask) {
            t << "Suppose";
            for (int i = 0; i < n; ++i)
                t << (i ? "," : "") << " " << names[i] << " is a " << ((mask >> i & 1) ? "knight" : "knave");
            t << (mask == solution ? ". Every statement fits.\n" : ". A statement contradicts this.\n");
            if (mask == solution)
                break;
        }
        if (chance(rng, style.selfCheckRate))
            t << "Let me verify each statement once more. They all hold.\n";
        return {t.str(), p.truth};
    }

private:
    std::pair<int, int> people_;
};

void rejectUnknown(const nlohmann::json& options, const std::string& spec, std::initializer_list<const char*> known)
{
    for (auto it = options.begin(); it != options.end(); ++it)
        if (std::none_of(known.begin(), known.end(), [&](const char* k) { return it.key() == k; }))
            throw Error(spec, it.key(), "unknown option");
}

} // namespace

Split splitOf(const Problem& p)
{
    return std::hash<std::string>{}(p.task + "\n" + p.prompt) % 8 == 0 ? Split::HeldOut : Split::Train;
}

std::unique_ptr<TaskFamily> makeTask(const std::string& name, const nlohmann::json& options)
{
    const std::string spec = "task " + name;
    if (name == "arithmetic") {
        rejectUnknown(options, spec, {"digits", "ops"});
        const std::string ops = options.value("ops", std::string("+-*"));
        if (ops.empty() || ops.find_first_not_of("+-*") != std::string::npos)
            throw Error(spec, "ops", "use a combination of + - *");
        return std::make_unique<Arithmetic>(parseRange(options.value("digits", nlohmann::json("1-2")), spec, "digits"),
                                            ops);
    }
    if (name == "countdown") {
        rejectUnknown(options, spec, {"numbers", "max_number", "max_target"});
        const int numbers = options.value("numbers", 3), maxNumber = options.value("max_number", 25),
                  maxTarget = options.value("max_target", 100);
        if (numbers < 2 || numbers > 6)
            throw Error(spec, "numbers", "must be between 2 and 6");
        if (maxNumber < 2)
            throw Error(spec, "max_number", "must be at least 2");
        if (maxTarget < 1)
            throw Error(spec, "max_target", "must be positive");
        return std::make_unique<Countdown>(numbers, maxNumber, maxTarget);
    }
    if (name == "linear") {
        rejectUnknown(options, spec, {"coef"});
        return std::make_unique<Linear>(parseRange(options.value("coef", nlohmann::json("1-9")), spec, "coef"));
    }
    if (name == "knights") {
        rejectUnknown(options, spec, {"people"});
        const auto people = parseRange(options.value("people", nlohmann::json("2-3")), spec, "people");
        if (people.second > 4)
            throw Error(spec, "people", "at most 4");
        return std::make_unique<Knights>(people);
    }
    throw Error(spec, "", "unknown task family (arithmetic, countdown, linear, knights)");
}

std::unique_ptr<TaskFamily> makeTask(std::string_view spec)
{
    const std::string text(spec);
    const size_t colon = text.find(':');
    nlohmann::json options = nlohmann::json::object();
    if (colon != std::string::npos) {
        std::stringstream in(text.substr(colon + 1));
        std::string pair;
        while (std::getline(in, pair, ',')) {
            const size_t eq = pair.find('=');
            if (eq == std::string::npos)
                throw Error(text, pair, "expected key=value");
            const std::string key = pair.substr(0, eq), value = pair.substr(eq + 1);
            const bool numeric = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
            options[key] = numeric ? nlohmann::json(std::stoi(value)) : nlohmann::json(value);
        }
    }
    return makeTask(text.substr(0, colon), options);
}

std::vector<Problem> generateProblems(const TaskFamily& family, Split split, int count, uint64_t seed)
{
    Rng rng(seed * 0x9E3779B97F4A7C15ull + (split == Split::HeldOut ? 1 : 0));
    std::vector<Problem> out;
    std::set<std::string> seen;
    for (int attempts = 0; static_cast<int>(out.size()) < count && attempts < count * 200; ++attempts) {
        Problem p = family.generate(rng);
        if (splitOf(p) != split || !seen.insert(p.prompt).second)
            continue;
        p.id = family.name() + "-" + std::to_string(std::hash<std::string>{}(p.prompt) % 1000000007);
        out.push_back(std::move(p));
    }
    return out;
}

std::string formatTrace(const std::string& reasoning, const std::string& answer)
{
    return "<think>\n" + reasoning + "</think>\n<answer>" + answer + "</answer>";
}

std::vector<Problem> loadDataset(const std::string& path, DatasetReport& report)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path, "", "cannot read the dataset");
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    std::vector<std::pair<int, nlohmann::json>> rows; // (line, object)
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text[first] == '[') {
        const auto array = nlohmann::json::parse(text, nullptr, false);
        if (array.is_discarded() || !array.is_array())
            throw Error(path, "", "not a valid JSON array");
        for (size_t i = 0; i < array.size(); ++i)
            rows.emplace_back(static_cast<int>(i + 1), array[i]);
    } else {
        std::stringstream lines(text);
        std::string line;
        for (int number = 1; std::getline(lines, line); ++number) {
            if (line.find_first_not_of(" \t\r") == std::string::npos)
                continue;
            auto row = nlohmann::json::parse(line, nullptr, false);
            if (row.is_discarded()) {
                ++report.skipped;
                report.problems.push_back(path + ":" + std::to_string(number) + ": invalid JSON");
                continue;
            }
            rows.emplace_back(number, row);
        }
    }
    std::vector<Problem> problems;
    const bool isArray = first != std::string::npos && text[first] == '[';
    for (const auto& [number, row] : rows) {
        const std::string where = path + (isArray ? ": item " : ":") + std::to_string(number);
        auto field = [&](std::initializer_list<const char*> names) -> std::optional<std::string> {
            for (const char* name : names)
                if (row.is_object() && row.contains(name)) {
                    const auto& v = row[name];
                    if (v.is_string())
                        return v.get<std::string>();
                    if (v.is_number())
                        return v.dump();
                }
            return std::nullopt;
        };
        const auto question = field({"question", "problem", "prompt"});
        auto answer = field({"answer", "final_answer"});
        if (!answer)
            if (const auto solution = field({"solution"}))
                answer = lastBoxed(*solution).value_or(*solution);
        if (!question || !answer) {
            ++report.skipped;
            report.problems.push_back(
                where + ": " +
                (!question ? "missing field question/problem/prompt" : "missing field answer/final_answer/solution"));
            continue;
        }
        Problem p;
        p.task = "dataset";
        p.prompt = trimmed(*question);
        p.truth = trimmed(*answer);
        p.id = field({"id", "unique_id"}).value_or(std::to_string(number));
        problems.push_back(std::move(p));
    }
    report.loaded = static_cast<int>(problems.size());
    return problems;
}

} // namespace thinkbench::core
