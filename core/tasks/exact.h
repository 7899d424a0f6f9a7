#pragma once
// Exact arithmetic for answer checking: rationals with overflow-checked 128-bit parts, and a small
// expression evaluator for what answers are written as (1/2, \frac{3}{4}, 2\frac{1}{3}, 1,234,
// 12.5%, 2.5e3, (3+4)*2, 2^10, \sqrt{8}, \pi/2). Irrational answers are kept as a canonical sum of
// rational * sqrt(squarefree) * pi^k terms, so equal values compare equal without a float epsilon.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace thinkbench::core {

class Rational {
public:
    Rational(__int128 numerator = 0, __int128 denominator = 1); // throws on a zero denominator
    __int128 num() const { return num_; }
    __int128 den() const { return den_; }
    Rational operator+(const Rational& o) const;
    Rational operator-(const Rational& o) const;
    Rational operator*(const Rational& o) const;
    Rational operator/(const Rational& o) const;
    bool operator==(const Rational& o) const { return num_ == o.num_ && den_ == o.den_; }
    bool operator<(const Rational& o) const;
    bool isInteger() const { return den_ == 1; }
    std::string str() const;

private:
    __int128 num_, den_; // lowest terms, den_ > 0
};

// sum of coefficient * sqrt(radicand) * pi^piPower, radicands square-free.
class ExactValue {
public:
    using Term = std::pair<long long, int>; // (radicand, pi power)
    ExactValue() = default;
    explicit ExactValue(const Rational& r);
    static ExactValue sqrtOf(const ExactValue& v); // only of non-negative rationals
    static ExactValue pi();
    ExactValue operator+(const ExactValue& o) const;
    ExactValue operator-(const ExactValue& o) const;
    ExactValue operator*(const ExactValue& o) const;
    ExactValue operator/(const ExactValue& o) const;  // divisor must be a single term
    ExactValue pow(const ExactValue& exponent) const; // small integer exponents
    bool operator==(const ExactValue& o) const { return terms_ == o.terms_; }
    std::optional<Rational> rational() const;
    std::string str() const;

private:
    void addTerm(const Term& term, const Rational& c); // in place: a product adds many terms
    std::map<Term, Rational> terms_;                   // zero terms removed
};

// Parses and evaluates an answer expression; nullopt when it is not a number or expression.
std::optional<ExactValue> evaluateExact(std::string_view text);

} // namespace thinkbench::core
