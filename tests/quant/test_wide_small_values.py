"""Wide types (> 64 bits) whose values still fit int64 take the int64 path; the bits
must be those of the exact Python-int path, and values that do not fit must fall back."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from quant import FixedType, arith
from quant.exact import quantize_dyadic

WIDE_A = FixedType(48, 4)  # 44 fraction bits
WIDE_B = FixedType(40, 10)  # 30 fraction bits: the product has 74 fraction bits (88-bit type)
TARGET = FixedType.parse("ap_fixed<32,4,AP_RND_CONV,AP_SAT>")


def exact_cast(raw, src: FixedType, dst: FixedType) -> list[int]:
    return quantize_dyadic([int(v) for v in raw], src.frac, dst).tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-(1 << 20), 1 << 20), min_size=1, max_size=20),
       st.lists(st.integers(-(1 << 20), 1 << 20), min_size=1, max_size=20))
def test_small_values_of_wide_products_and_sums(a_list, b_list) -> None:
    n = min(len(a_list), len(b_list))
    a, b = np.array(a_list[:n], dtype=np.int64), np.array(b_list[:n], dtype=np.int64)
    product, product_t = arith.multiply(a, WIDE_A, b, WIDE_B)
    assert not product_t.is_native and product.dtype == np.int64
    assert product.tolist() == [x * y for x, y in zip(a_list[:n], b_list[:n])]
    total, total_t = arith.add(a, WIDE_A, product, product_t)
    shift = total_t.frac - WIDE_A.frac
    assert total.tolist() == [(x << shift) + p for x, p in zip(a_list[:n], product.tolist())]
    assert TARGET.cast(total, total_t).tolist() == exact_cast(total.tolist(), total_t, TARGET)


def test_values_beyond_int64_take_the_exact_path() -> None:
    big = np.array([(1 << 47) - 1, -(1 << 47)], dtype=np.int64)
    product, product_t = arith.multiply(big, WIDE_A, np.array([(1 << 39) - 1, 1 << 20]), WIDE_B)
    assert product.dtype == object  # 2**86 does not fit int64
    assert product.tolist() == [((1 << 47) - 1) * ((1 << 39) - 1), -(1 << 47) * (1 << 20)]
    near_limit = np.array([1 << 62, -(1 << 62)], dtype=np.int64)  # k = 2 at 61 fraction bits
    total, total_t = arith.add(near_limit, FixedType(70, 3), np.array([5, -5]), FixedType(70, 3))
    assert total.dtype == np.int64 and total.tolist() == [(1 << 62) + 5, -(1 << 62) - 5]
    assert TARGET.cast(total, total_t).tolist() == exact_cast(total.tolist(), total_t, TARGET)
