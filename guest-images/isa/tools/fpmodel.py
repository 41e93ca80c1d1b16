"""A small exact model of RISC-V F/D arithmetic, used to compute the expected
results and fflags of the generated FP test cases (tools/fpgen.py).

Values are decoded to exact rationals (fractions.Fraction), the operation is
done exactly, and the result is rounded once to the target format in the
requested rounding mode. Rules modelled (unprivileged spec, chapters 11-12,
and IEEE 754-2008):
  * tininess is detected after rounding; UF is raised only if the result is
    tiny and inexact;
  * every NaN result is the canonical NaN; NV for signaling NaN inputs and
    invalid operations (inf-inf, 0*inf, 0/0, inf/inf, sqrt(<0), fma 0*inf+c
    even when c is a quiet NaN);
  * exact zero sums are +0 except in RDN; x/0 for finite nonzero x gives inf
    with DZ;
  * conversions to integer saturate (NaN -> the largest value) with NV and
    never raise NX together with NV; .w/.wu results are sign-extended;
  * fmin/fmax return the non-NaN operand if only one is NaN, order -0 < +0,
    and raise NV only for signaling NaNs;
  * feq raises NV only for signaling NaNs, flt/fle for any NaN.
Standard library only.
"""

from fractions import Fraction
import math

RNE, RTZ, RDN, RUP, RMM = 0, 1, 2, 3, 4
RM_NAMES = {RNE: "rne", RTZ: "rtz", RDN: "rdn", RUP: "rup", RMM: "rmm"}
NX, UF, OF, DZ, NV = 1, 2, 4, 8, 16


class Format:
    def __init__(self, name, exponent_bits, fraction_bits):
        self.name = name
        self.exponent_bits = exponent_bits
        self.fraction_bits = fraction_bits
        self.precision = fraction_bits + 1
        self.bias = (1 << (exponent_bits - 1)) - 1
        self.emin = 1 - self.bias
        self.emax = self.bias
        self.width = 1 + exponent_bits + fraction_bits
        self.sign_bit = 1 << (self.width - 1)
        self.exponent_mask = ((1 << exponent_bits) - 1) << fraction_bits
        self.fraction_mask = (1 << fraction_bits) - 1
        self.canonical_nan = self.exponent_mask | (1 << (fraction_bits - 1))
        self.infinity = self.exponent_mask
        self.max_finite = Fraction(2 ** self.precision - 1) * Fraction(2) ** (self.emax - self.precision + 1)

    def pack(self, sign, biased_exponent, fraction):
        return (self.sign_bit if sign else 0) | (biased_exponent << self.fraction_bits) | fraction


SINGLE = Format("s", 8, 23)
DOUBLE = Format("d", 11, 52)


# ---- decoding ---------------------------------------------------------------

class Value:
    """kind: 'zero', 'finite', 'inf', 'qnan', 'snan'; magnitude is a Fraction."""

    def __init__(self, kind, sign, magnitude=Fraction(0)):
        self.kind, self.sign, self.magnitude = kind, sign, magnitude

    @property
    def is_nan(self):
        return self.kind in ("qnan", "snan")

    def signed(self):
        return -self.magnitude if self.sign else self.magnitude


def decode(fmt, bits):
    sign = bool(bits & fmt.sign_bit)
    exponent = (bits & fmt.exponent_mask) >> fmt.fraction_bits
    fraction = bits & fmt.fraction_mask
    if exponent == (1 << fmt.exponent_bits) - 1:
        if fraction == 0:
            return Value("inf", sign)
        quiet = fraction >> (fmt.fraction_bits - 1)
        return Value("qnan" if quiet else "snan", sign)
    if exponent == 0:
        if fraction == 0:
            return Value("zero", sign)
        return Value("finite", sign, Fraction(fraction) * Fraction(2) ** (fmt.emin - fmt.fraction_bits))
    return Value("finite", sign, Fraction((1 << fmt.fraction_bits) | fraction)
                 * Fraction(2) ** (exponent - fmt.bias - fmt.fraction_bits))


def encode_number(fmt, text):
    """Bits of a decimal literal, rounded to nearest even (like the assembler)."""
    value = Fraction(text)
    if value == 0:
        return fmt.pack(text.strip().startswith("-"), 0, 0)
    bits, _ = round_to_format(fmt, value < 0, abs(value), RNE)
    return bits


# ---- rounding ---------------------------------------------------------------

def floor_log2(x):
    """floor(log2(x)) for a positive Fraction."""
    e = x.numerator.bit_length() - x.denominator.bit_length()
    if Fraction(2) ** e > x:
        e -= 1
    elif Fraction(2) ** (e + 1) <= x:
        e += 1
    return e


def round_integer(n, remainder, sign, rm):
    """Round a non-negative magnitude n + r (0 <= r < 1) to an integer.
    remainder: 0 exact, 1 below half, 2 exactly half, 3 above half."""
    if remainder == 0:
        return n
    if rm == RNE:
        return n + 1 if remainder == 3 or (remainder == 2 and n % 2 == 1) else n
    if rm == RMM:
        return n + 1 if remainder >= 2 else n
    if rm == RTZ:
        return n
    if rm == RDN:
        return n + 1 if sign else n
    if rm == RUP:
        return n if sign else n + 1
    raise ValueError(rm)


def split_fraction(x):
    """x >= 0 -> (floor(x), remainder class)."""
    n = x.numerator // x.denominator
    r = x - n
    if r == 0:
        return n, 0
    half = Fraction(1, 2)
    return n, 1 if r < half else (2 if r == half else 3)


def round_to_format(fmt, sign, magnitude, rm, splitter=None):
    """Round a positive exact magnitude to fmt. splitter(q) -> (n, remainder)
    gives floor(magnitude / q) and its remainder class (for values that are
    not rational, like square roots). Returns (bits, flags)."""
    if splitter is None:
        def splitter(q):
            return split_fraction(magnitude / q)
    e = exponent_of(magnitude)
    flags = 0
    # tininess after rounding: round with an unbounded exponent range
    q_unbounded = Fraction(2) ** (e - fmt.precision + 1)
    n, rem = splitter(q_unbounded)
    rounded_unbounded = round_integer(n, rem, sign, rm) * q_unbounded
    tiny = rounded_unbounded < Fraction(2) ** fmt.emin
    # actual rounding, with the subnormal quantum floor
    q = Fraction(2) ** (max(e, fmt.emin) - fmt.precision + 1)
    n, rem = splitter(q)
    m = round_integer(n, rem, sign, rm)
    inexact = rem != 0
    result = m * q
    if inexact:
        flags |= NX
        if tiny:
            flags |= UF
    if result > fmt.max_finite:
        flags |= OF | NX
        to_infinity = rm in (RNE, RMM) or (rm == RUP and not sign) or (rm == RDN and sign)
        if to_infinity:
            return fmt.pack(sign, (1 << fmt.exponent_bits) - 1, 0), flags
        result = fmt.max_finite
    return encode_exact(fmt, sign, result), flags


def exponent_of(magnitude):
    return floor_log2(magnitude)


def encode_exact(fmt, sign, value):
    if value == 0:
        return fmt.pack(sign, 0, 0)
    e = floor_log2(value)
    if e < fmt.emin:
        fraction = value / Fraction(2) ** (fmt.emin - fmt.fraction_bits)
        assert fraction.denominator == 1
        return fmt.pack(sign, 0, int(fraction))
    significand = value / Fraction(2) ** (e - fmt.fraction_bits)
    assert significand.denominator == 1, value
    return fmt.pack(sign, e + fmt.bias, int(significand) - (1 << fmt.fraction_bits))


def from_exact(fmt, exact, rm, zero_sign=False):
    """Round an exact rational; an exact zero gets zero_sign."""
    if exact == 0:
        return fmt.pack(zero_sign, 0, 0), 0
    return round_to_format(fmt, exact < 0, abs(exact), rm)


# ---- arithmetic -------------------------------------------------------------

def nan_flags(*values):
    return NV if any(v.kind == "snan" for v in values) else 0


def fadd(fmt, a_bits, b_bits, rm, negate_b=False):
    a, b = decode(fmt, a_bits), decode(fmt, b_bits)
    if negate_b and not b.is_nan:
        b = Value(b.kind, not b.sign, b.magnitude)
    if a.is_nan or b.is_nan:
        return fmt.canonical_nan, nan_flags(a, b)
    if a.kind == "inf" or b.kind == "inf":
        if a.kind == "inf" and b.kind == "inf" and a.sign != b.sign:
            return fmt.canonical_nan, NV
        sign = a.sign if a.kind == "inf" else b.sign
        return fmt.pack(sign, (1 << fmt.exponent_bits) - 1, 0), 0
    exact = a.signed() + b.signed()
    if exact == 0:
        if a.kind == "zero" and b.kind == "zero" and a.sign == b.sign:
            zero_sign = a.sign
        else:
            zero_sign = rm == RDN
        return fmt.pack(zero_sign, 0, 0), 0
    return from_exact(fmt, exact, rm)


def fsub(fmt, a_bits, b_bits, rm):
    return fadd(fmt, a_bits, b_bits, rm, negate_b=True)


def fmul(fmt, a_bits, b_bits, rm):
    a, b = decode(fmt, a_bits), decode(fmt, b_bits)
    if a.is_nan or b.is_nan:
        return fmt.canonical_nan, nan_flags(a, b)
    sign = a.sign != b.sign
    if (a.kind == "inf" and b.kind == "zero") or (a.kind == "zero" and b.kind == "inf"):
        return fmt.canonical_nan, NV
    if a.kind == "inf" or b.kind == "inf":
        return fmt.pack(sign, (1 << fmt.exponent_bits) - 1, 0), 0
    if a.kind == "zero" or b.kind == "zero":
        return fmt.pack(sign, 0, 0), 0
    return round_to_format(fmt, sign, a.magnitude * b.magnitude, rm)


def fdiv(fmt, a_bits, b_bits, rm):
    a, b = decode(fmt, a_bits), decode(fmt, b_bits)
    if a.is_nan or b.is_nan:
        return fmt.canonical_nan, nan_flags(a, b)
    sign = a.sign != b.sign
    if (a.kind == "inf" and b.kind == "inf") or (a.kind == "zero" and b.kind == "zero"):
        return fmt.canonical_nan, NV
    if a.kind == "inf":
        return fmt.pack(sign, (1 << fmt.exponent_bits) - 1, 0), 0
    if b.kind == "inf" or a.kind == "zero":
        return fmt.pack(sign, 0, 0), 0
    if b.kind == "zero":
        return fmt.pack(sign, (1 << fmt.exponent_bits) - 1, 0), DZ
    return round_to_format(fmt, sign, a.magnitude / b.magnitude, rm)


def fsqrt(fmt, a_bits, rm):
    a = decode(fmt, a_bits)
    if a.is_nan:
        return fmt.canonical_nan, nan_flags(a)
    if a.kind == "zero":
        return a_bits, 0
    if a.sign:
        return fmt.canonical_nan, NV
    if a.kind == "inf":
        return a_bits, 0
    x = a.magnitude
    e = floor_log2(x) // 2

    def splitter(q):
        y = x / (q * q)  # floor(sqrt(x) / q) = isqrt(floor(y))
        n = math.isqrt(y.numerator // y.denominator)
        if Fraction(n * n) == y:
            return n, 0
        midpoint_squared = Fraction(2 * n + 1, 2) ** 2
        return n, 1 if y < midpoint_squared else (2 if y == midpoint_squared else 3)

    # round_to_format needs the result's exponent: pass a magnitude with the
    # same binade as sqrt(x)
    probe = Fraction(2) ** e
    return round_to_format(fmt, False, probe, rm, splitter=splitter)


def ffma(fmt, a_bits, b_bits, c_bits, rm, negate_product=False, negate_addend=False):
    a, b, c = decode(fmt, a_bits), decode(fmt, b_bits), decode(fmt, c_bits)
    invalid_product = (a.kind == "inf" and b.kind == "zero") or (a.kind == "zero" and b.kind == "inf")
    if a.is_nan or b.is_nan or c.is_nan:
        return fmt.canonical_nan, nan_flags(a, b, c) | (NV if invalid_product else 0)
    if invalid_product:
        return fmt.canonical_nan, NV
    product_sign = (a.sign != b.sign) != negate_product
    addend_sign = c.sign != negate_addend
    product_inf = a.kind == "inf" or b.kind == "inf"
    if product_inf or c.kind == "inf":
        if product_inf and c.kind == "inf" and product_sign != addend_sign:
            return fmt.canonical_nan, NV
        sign = product_sign if product_inf else addend_sign
        return fmt.pack(sign, (1 << fmt.exponent_bits) - 1, 0), 0
    product = a.magnitude * b.magnitude * (-1 if product_sign else 1)
    addend = c.magnitude * (-1 if addend_sign else 1)
    exact = product + addend
    if exact == 0:
        product_zero = a.kind == "zero" or b.kind == "zero"
        if product_zero and c.kind == "zero" and product_sign == addend_sign:
            zero_sign = product_sign
        else:
            zero_sign = rm == RDN
        return fmt.pack(zero_sign, 0, 0), 0
    return round_to_format(fmt, exact < 0, abs(exact), rm)


def fminmax(fmt, a_bits, b_bits, want_max):
    a, b = decode(fmt, a_bits), decode(fmt, b_bits)
    flags = nan_flags(a, b)
    if a.is_nan and b.is_nan:
        return fmt.canonical_nan, flags
    if a.is_nan:
        return b_bits, flags
    if b.is_nan:
        return a_bits, flags

    def key(v, bits):
        if v.kind == "inf":
            return (Fraction(-1 if v.sign else 1) * 10 ** 400, 0)
        return (v.signed(), -1 if (v.kind == "zero" and v.sign) else 0)

    ka, kb = key(a, a_bits), key(b, b_bits)
    if want_max:
        return (a_bits if ka >= kb else b_bits), flags
    return (a_bits if ka <= kb else b_bits), flags


def ordered(v):
    if v.kind == "inf":
        return Fraction(-1 if v.sign else 1) * 10 ** 400
    return v.signed()


def fcompare(fmt, a_bits, b_bits, kind):
    a, b = decode(fmt, a_bits), decode(fmt, b_bits)
    if a.is_nan or b.is_nan:
        if kind == "eq":
            return 0, nan_flags(a, b)
        return 0, NV
    x, y = ordered(a), ordered(b)
    return int({"eq": x == y, "lt": x < y, "le": x <= y}[kind]), 0


def fclass(fmt, bits):
    v = decode(fmt, bits)
    if v.kind == "snan":
        return 1 << 8
    if v.kind == "qnan":
        return 1 << 9
    if v.kind == "inf":
        return 1 << (0 if v.sign else 7)
    if v.kind == "zero":
        return 1 << (3 if v.sign else 4)
    subnormal = (bits & fmt.exponent_mask) == 0
    if v.sign:
        return 1 << (2 if subnormal else 1)
    return 1 << (5 if subnormal else 6)


INT_RANGES = {"w": (-2 ** 31, 2 ** 31 - 1), "wu": (0, 2 ** 32 - 1),
              "l": (-2 ** 63, 2 ** 63 - 1), "lu": (0, 2 ** 64 - 1)}


def to_register(kind, value):
    """The 64-bit register value for an integer conversion result."""
    if kind in ("w", "wu"):
        value &= 0xffffffff
        if value & 0x80000000:
            value |= 0xffffffff00000000
        return value
    return value & 0xffffffffffffffff


def fcvt_to_int(fmt, bits, kind, rm):
    low, high = INT_RANGES[kind]
    v = decode(fmt, bits)
    if v.is_nan or (v.kind == "inf" and not v.sign):
        return to_register(kind, high), NV
    if v.kind == "inf":
        return to_register(kind, low), NV
    if v.kind == "zero":
        return 0, 0
    n, rem = split_fraction(v.magnitude)
    magnitude = round_integer(n, rem, v.sign, rm)
    value = -magnitude if v.sign else magnitude
    if value < low:
        return to_register(kind, low), NV
    if value > high:
        return to_register(kind, high), NV
    return to_register(kind, value), NX if rem else 0


def fcvt_from_int(fmt, value, kind, rm):
    """value: the integer the instruction reads (already interpreted per kind)."""
    if value == 0:
        return fmt.pack(False, 0, 0), 0
    return round_to_format(fmt, value < 0, Fraction(abs(value)), rm)


def fcvt_format(to_fmt, from_fmt, bits, rm):
    v = decode(from_fmt, bits)
    if v.is_nan:
        return to_fmt.canonical_nan, nan_flags(v)
    if v.kind == "inf":
        return to_fmt.pack(v.sign, (1 << to_fmt.exponent_bits) - 1, 0), 0
    if v.kind == "zero":
        return to_fmt.pack(v.sign, 0, 0), 0
    return round_to_format(to_fmt, v.sign, v.magnitude, rm)


def fsgnj(fmt, a_bits, b_bits, kind):
    sign_a = a_bits & fmt.sign_bit
    sign_b = b_bits & fmt.sign_bit
    magnitude = a_bits & ~fmt.sign_bit
    sign = {"j": sign_b, "jn": sign_b ^ fmt.sign_bit, "jx": sign_a ^ sign_b}[kind]
    return magnitude | sign, 0
