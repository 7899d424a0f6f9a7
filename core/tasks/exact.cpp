#include "core/tasks/exact.h"

#include "core/error.h"
#include "core/tasks/check_budget.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <regex>
#include <stdexcept>

namespace thinkbench::core {

namespace {

// Thrown inside the evaluator when a value leaves exact 128-bit arithmetic or is not a number.
struct NotExact : std::runtime_error {
    NotExact()
        : std::runtime_error("not exact")
    {
    }
};

__int128 gcd128(__int128 a, __int128 b)
{
    if (a < 0)
        a = -a;
    if (b < 0)
        b = -b;
    while (b != 0) {
        const __int128 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

__int128 mul(__int128 a, __int128 b)
{
    __int128 r;
    if (__builtin_mul_overflow(a, b, &r))
        throw NotExact();
    return r;
}

__int128 add(__int128 a, __int128 b)
{
    __int128 r;
    if (__builtin_add_overflow(a, b, &r))
        throw NotExact();
    return r;
}

std::string toString(__int128 v)
{
    if (v == 0)
        return "0";
    const bool negative = v < 0;
    std::string s;
    while (v != 0) {
        const int digit = static_cast<int>(v % 10);
        s.insert(s.begin(), static_cast<char>('0' + (digit < 0 ? -digit : digit)));
        v /= 10;
    }
    return negative ? "-" + s : s;
}

} // namespace

Rational::Rational(__int128 numerator, __int128 denominator)
{
    if (denominator == 0)
        throw NotExact();
    if (denominator < 0) {
        numerator = -numerator;
        denominator = -denominator;
    }
    const __int128 g = gcd128(numerator, denominator);
    num_ = g ? numerator / g : 0;
    den_ = g ? denominator / g : 1;
}

Rational Rational::operator+(const Rational& o) const
{
    return {add(mul(num_, o.den_), mul(o.num_, den_)), mul(den_, o.den_)};
}
Rational Rational::operator-(const Rational& o) const
{
    return *this + Rational(-o.num_, o.den_);
}
Rational Rational::operator*(const Rational& o) const
{
    const __int128 g1 = gcd128(num_, o.den_), g2 = gcd128(o.num_, den_);
    return {mul(g1 ? num_ / g1 : 0, g2 ? o.num_ / g2 : 0), mul(g2 ? den_ / g2 : den_, g1 ? o.den_ / g1 : o.den_)};
}
Rational Rational::operator/(const Rational& o) const
{
    return *this * Rational(o.den_, o.num_);
}
bool Rational::operator<(const Rational& o) const
{
    return mul(num_, o.den_) < mul(o.num_, den_);
}
std::string Rational::str() const
{
    return den_ == 1 ? toString(num_) : toString(num_) + "/" + toString(den_);
}

ExactValue::ExactValue(const Rational& r)
{
    if (r.num() != 0)
        terms_[{1, 0}] = r;
}

ExactValue ExactValue::pi()
{
    ExactValue v;
    v.terms_[{1, 1}] = Rational(1);
    return v;
}

ExactValue ExactValue::sqrtOf(const ExactValue& v)
{
    const auto r = v.rational();
    if (!r || r->num() < 0)
        throw NotExact();
    // sqrt(p/q) = sqrt(p*q)/q; pull square factors out of p*q. Trial division up to the cube root:
    // what is left then has at most two prime factors, so it is a prime's square or square-free.
    const __int128 pq = mul(r->num(), r->den());
    if (pq > (__int128(1) << 62))
        throw NotExact();
    uint64_t rest = static_cast<uint64_t>(pq), outside = 1, inside = 1;
    CheckBudget::spend(1 + static_cast<int64_t>(std::cbrt(static_cast<double>(rest))) / 16); // 16 divisions a step
    for (uint64_t f = 2; f * f * f <= rest; ++f) {
        int power = 0;
        for (; rest % f == 0; ++power)
            rest /= f;
        for (int i = 0; i < power / 2; ++i)
            outside *= f;
        if (power % 2)
            inside *= f;
    }
    const auto root = static_cast<uint64_t>(std::sqrt(static_cast<double>(rest)));
    bool square = false;
    for (uint64_t c = root > 0 ? root - 1 : 0; c <= root + 1 && rest > 1; ++c)
        if (c * c == rest) {
            outside *= c;
            square = true;
        }
    if (!square)
        inside *= rest;
    const __int128 n = rest == 0 ? 0 : __int128(inside);
    ExactValue out;
    if (n != 0)
        out.terms_[{static_cast<long long>(n), 0}] = Rational(outside, r->den());
    return out;
}

void ExactValue::addTerm(const Term& term, const Rational& c)
{
    auto it = terms_.find(term);
    if (it == terms_.end()) {
        if (c.num() != 0)
            terms_.emplace(term, c);
        return;
    }
    it->second = it->second + c;
    if (it->second.num() == 0)
        terms_.erase(it);
}

ExactValue ExactValue::operator+(const ExactValue& o) const
{
    CheckBudget::spend(static_cast<int64_t>(terms_.size() + o.terms_.size()));
    ExactValue out = *this;
    for (const auto& [term, c] : o.terms_)
        out.addTerm(term, c);
    return out;
}

ExactValue ExactValue::operator-(const ExactValue& o) const
{
    return *this + o * ExactValue(Rational(-1));
}

ExactValue ExactValue::operator*(const ExactValue& o) const
{
    ExactValue out;
    for (const auto& [a, ca] : terms_)
        for (const auto& [b, cb] : o.terms_) {
            CheckBudget::spend();
            // sqrt(a) sqrt(b) = sqrt(a b): reduce through sqrtOf.
            const ExactValue root = sqrtOf(ExactValue(Rational(mul(a.first, b.first))));
            for (const auto& [rt, rc] : root.terms_)
                out.addTerm({rt.first, a.second + b.second}, rc * ca * cb);
        }
    return out;
}

ExactValue ExactValue::operator/(const ExactValue& o) const
{
    if (o.terms_.size() != 1)
        throw NotExact();
    const auto& [term, c] = *o.terms_.begin();
    // 1 / (c sqrt(r) pi^k) = sqrt(r) / (c r) pi^-k
    ExactValue inverse;
    inverse.terms_[{term.first, -term.second}] = Rational(1) / (c * Rational(term.first));
    return *this * inverse;
}

ExactValue ExactValue::pow(const ExactValue& exponent) const
{
    const auto e = exponent.rational();
    if (!e || !e->isInteger() || e->num() > 64 || e->num() < -64)
        throw NotExact();
    ExactValue result(Rational(1));
    const int n = static_cast<int>(e->num() < 0 ? -e->num() : e->num());
    for (int i = 0; i < n; ++i)
        result = result * *this;
    return e->num() < 0 ? ExactValue(Rational(1)) / result : result;
}

std::optional<Rational> ExactValue::rational() const
{
    if (terms_.empty())
        return Rational(0);
    if (terms_.size() == 1 && terms_.begin()->first == Term{1, 0})
        return terms_.begin()->second;
    return std::nullopt;
}

std::string ExactValue::str() const
{
    if (terms_.empty())
        return "0";
    std::string out;
    for (const auto& [term, c] : terms_) {
        if (!out.empty())
            out += " + ";
        out += c.str();
        if (term.first != 1)
            out += "*sqrt(" + std::to_string(term.first) + ")";
        if (term.second != 0)
            out += "*pi^" + std::to_string(term.second);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------

namespace {

// Rewrites LaTeX and typographic forms into the evaluator's plain syntax.
std::string normalise(std::string_view input)
{
    std::string s(input);
    auto replaceAll = [&](const std::string& from, const std::string& to) {
        for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size())
            s.replace(at, from.size(), to);
    };
    for (const char* noise : {"\\left", "\\right", "\\!", "\\,", "\\;", "\\:", "$", "\\displaystyle"})
        replaceAll(noise, "");
    replaceAll("\\ ", " ");
    replaceAll("\\cdot", "*");
    replaceAll("\\times", "*");
    replaceAll("×", "*");
    replaceAll("·", "*");
    replaceAll("\\div", "/");
    replaceAll("÷", "/");
    replaceAll("−", "-");
    replaceAll("\\pi", "pi");
    replaceAll("π", "pi");
    replaceAll("\\%", "%");
    replaceAll("\\dfrac", "\\frac");
    replaceAll("\\tfrac", "\\frac");
    replaceAll("{,}", ","); // 1{,}234: the comma as LaTeX writes it inside a number
    // Compiled once: building a std::regex costs more than verifying a short answer.
    static const std::regex unicodeRoot(R"(√(\d+(?:\.\d+)?))");
    static const std::regex bareRoot(R"(\\sqrt\s*(\d))");
    static const std::regex wholeBeforeFrac(R"((\d+)\s*\\frac)");
    static const std::regex mixedNumber(R"(^\s*(-?)(\d+)\s+(\d+)\s*/\s*(\d+)\s*$)");
    static const std::regex bareFrac(R"(\\frac\s*(\d)\s*(\d))");
    static const std::regex thousands(R"((\d),(?=\d{3}(?!\d)))");
    // √16 covers the digits after it; TeX's \sqrt takes one token, so \sqrt96 is \sqrt{9}6.
    s = std::regex_replace(s, unicodeRoot, "\\sqrt{$1}");
    replaceAll("√", "\\sqrt");
    s = std::regex_replace(s, bareRoot, "\\sqrt{$1}");
    // Mixed numbers: 2\frac{1}{3} is 2 + 1/3, and "3 1/2" is 3 + 1/2.
    s = std::regex_replace(s, wholeBeforeFrac, "$1+\\frac");
    s = std::regex_replace(s, mixedNumber, "$1($2+$3/$4)");
    // \frac{a}{b} -> ((a)/(b)), also \frac12 -> ((1)/(2)).
    s = std::regex_replace(s, bareFrac, "\\frac{$1}{$2}");
    replaceAll("\\frac", "FRAC");
    replaceAll("\\sqrt", "sqrt");
    // Thousands separators: 1,234,567 (groups of exactly three digits).
    s = std::regex_replace(s, thousands, "$1");
    return s;
}

class Parser {
public:
    explicit Parser(std::string text)
        : s_(std::move(text))
    {
    }

    ExactValue parse()
    {
        ExactValue v = expression();
        skip();
        if (pos_ != s_.size())
            throw NotExact();
        return v;
    }

private:
    // One level of nesting (a bracket, a sign, a power, \frac, \sqrt) for as long as it lives.
    struct Nested {
        explicit Nested(int& depth)
            : depth_(depth)
        {
            if (++depth_ > kMaxAnswerNesting)
                throw NotExact();
        }
        ~Nested() { --depth_; }
        int& depth_;
    };

    void skip()
    {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])))
            ++pos_;
    }
    bool eat(char c)
    {
        skip();
        if (pos_ < s_.size() && s_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    bool eatWord(const char* word)
    {
        skip();
        const size_t n = std::char_traits<char>::length(word);
        if (s_.compare(pos_, n, word) == 0) {
            pos_ += n;
            return true;
        }
        return false;
    }

    ExactValue expression()
    {
        ExactValue v = term();
        while (true) {
            if (eat('+'))
                v = v + term();
            else if (eat('-'))
                v = v - term();
            else
                return v;
        }
    }

    bool startsFactor()
    {
        skip();
        if (pos_ >= s_.size())
            return false;
        const char c = s_[pos_];
        return std::isdigit(static_cast<unsigned char>(c)) || c == '(' || c == '{' || s_.compare(pos_, 2, "pi") == 0 ||
               s_.compare(pos_, 4, "sqrt") == 0 || s_.compare(pos_, 4, "FRAC") == 0;
    }

    ExactValue term()
    {
        ExactValue v = power();
        while (true) {
            if (eat('*'))
                v = v * power();
            else if (eat('/'))
                v = v / power();
            else if (startsFactor()) // implicit multiplication: 2pi, 3sqrt(2), 2(3+1)
                v = v * power();
            else
                return v;
        }
    }

    ExactValue power()
    {
        ExactValue base = unary();
        if (eat('^')) {
            const Nested nested(depth_);
            return base.pow(power());
        }
        return base;
    }

    ExactValue unary()
    {
        if (eat('-')) {
            const Nested nested(depth_);
            return ExactValue(Rational(-1)) * unary();
        }
        if (eat('+')) {
            const Nested nested(depth_);
            return unary();
        }
        return postfix(primary());
    }

    ExactValue postfix(ExactValue v)
    {
        if (eat('%'))
            return v / ExactValue(Rational(100));
        return v;
    }

    ExactValue group()
    {
        const Nested nested(depth_);
        if (eat('(')) {
            ExactValue v = expression();
            if (!eat(')'))
                throw NotExact();
            return v;
        }
        if (eat('{')) {
            ExactValue v = expression();
            if (!eat('}'))
                throw NotExact();
            return v;
        }
        throw NotExact();
    }

    ExactValue primary()
    {
        CheckBudget::spend();
        skip();
        if (pos_ >= s_.size())
            throw NotExact();
        if (eatWord("FRAC")) {
            const ExactValue a = group();
            const ExactValue b = group();
            return a / b;
        }
        if (eatWord("sqrt")) {
            skip();
            if (pos_ < s_.size() && (s_[pos_] == '(' || s_[pos_] == '{'))
                return ExactValue::sqrtOf(group());
            return ExactValue::sqrtOf(number());
        }
        if (eatWord("pi"))
            return ExactValue::pi();
        if (s_[pos_] == '(' || s_[pos_] == '{')
            return group();
        return number();
    }

    ExactValue number()
    {
        skip();
        const size_t start = pos_;
        __int128 whole = 0, fraction = 0, scale = 1;
        bool digits = false;
        while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
            whole = add(mul(whole, 10), s_[pos_++] - '0');
            digits = true;
        }
        if (pos_ < s_.size() && s_[pos_] == '.') {
            ++pos_;
            while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
                fraction = add(mul(fraction, 10), s_[pos_++] - '0');
                scale = mul(scale, 10);
                digits = true;
            }
        }
        if (!digits) {
            pos_ = start;
            throw NotExact();
        }
        return ExactValue(Rational(whole) + Rational(fraction, scale)) * exponent();
    }

    // Scientific notation after a number: 2.5e3, 1E-4 (a power of ten; 1 when there is none).
    ExactValue exponent()
    {
        size_t at = pos_;
        if (at >= s_.size() || (s_[at] != 'e' && s_[at] != 'E'))
            return ExactValue(Rational(1));
        ++at;
        const bool negative = at < s_.size() && s_[at] == '-';
        if (at < s_.size() && (s_[at] == '-' || s_[at] == '+'))
            ++at;
        if (at >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[at])))
            return ExactValue(Rational(1));
        __int128 power = 0;
        while (at < s_.size() && std::isdigit(static_cast<unsigned char>(s_[at])))
            power = add(mul(power, 10), s_[at++] - '0');
        pos_ = at;
        return ExactValue(Rational(10)).pow(ExactValue(Rational(negative ? -power : power)));
    }

    std::string s_;
    size_t pos_ = 0;
    int depth_ = 0;
};

} // namespace

std::optional<ExactValue> evaluateExact(std::string_view text)
{
    if (text.size() > kMaxAnswerBytes)
        return std::nullopt;
    return underCheckBudget(
        [&]() -> std::optional<ExactValue> {
            CheckBudget::spend(static_cast<int64_t>(text.size()));
            const std::string normalised = normalise(text);
            if (normalised.find_first_not_of(" \t") == std::string::npos)
                return std::nullopt;
            try {
                return Parser(normalised).parse();
            } catch (const NotExact&) {
                return std::nullopt;
            }
        },
        std::optional<ExactValue>());
}

} // namespace thinkbench::core
