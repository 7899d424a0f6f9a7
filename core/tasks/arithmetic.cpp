// The arithmetic family: + - * of numbers with a given count of digits.

#include "core/error.h"
#include "core/tasks/random_draws.h"
#include "core/tasks/task_families.h"
#include "core/tasks/task_options.h"

#include <algorithm>
#include <iterator>
#include <sstream>
#include <utility>
#include <vector>

namespace thinkbench::core {

namespace {

int randomWithDigits(Rng& rng, int digits)
{
    int lo = 1, hi = 9;
    for (int d = 1; d < digits; ++d) {
        lo *= 10;
        hi = hi * 10 + 9;
    }
    return uniform(rng, digits == 1 ? 0 : lo, hi);
}

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

} // namespace

std::unique_ptr<TaskFamily> makeArithmetic(const nlohmann::json& options, const std::string& spec)
{
    rejectUnknown(options, spec, {"digits", "ops"});
    const std::string ops = options.value("ops", std::string("+-*"));
    if (ops.empty() || ops.find_first_not_of("+-*") != std::string::npos)
        throw Error(spec, "ops", "use a combination of + - *");
    return std::make_unique<Arithmetic>(parseRange(options.value("digits", nlohmann::json("1-2")), spec, "digits"),
                                        ops);
}

} // namespace thinkbench::core
