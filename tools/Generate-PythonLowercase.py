#!/usr/bin/env python3
"""Generates the lower-case tables that make step ids map to exactly the original's keys.

The original Python CLI turns a step id into its folder with ``sid.lower().replace('.', '-')``.
Python's ``str.lower()`` applies its own copy of the Unicode data (full case mapping from
SpecialCasing.txt, e.g. U+0130 -> U+0069 U+0307, plus the Final_Sigma rule), so .NET's casing
(ICU, NLS, invariant mode or .NET Framework tables) cannot be trusted to agree. This script asks
Python itself and writes:

  src/TraceCraft.Core/Keys/PythonLowercase.Table.cs
      every code point whose chr(c).lower() != chr(c), as runs of equal delta, plus the
      multi-code-point mappings, plus the Case_Ignorable and Cased ranges that the final-sigma
      rule (CPython Objects/unicodeobject.c, handle_capital_sigma) consults.
  tests/TraceCraft.Core.Tests/Wire/PythonLowercaseSamples.Generated.cs
      2,000 random strings (fixed seed) drawn from tricky ranges and their Python lower-case.

Unicode version: run with Python 3.11, whose unicodedata.unidata_version is 14.0.0. The
version the tables come from is written into both files; re-running with another Python
changes the tables for characters assigned or re-classified after Unicode 14.0.

Both properties are derived by probing str.lower() rather than read from unicodedata (which does
not expose Cased or Case_Ignorable), then the emitted tables are checked against Python for every
code point and every probe context, so the C# side only has to reproduce the lookup.

Usage: python3 tools/Generate-PythonLowercase.py   (from the repository root or anywhere)
"""
import os
import random
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE_FILE = os.path.join(ROOT, "src", "TraceCraft.Core", "Keys", "PythonLowercase.Table.cs")
SAMPLES_FILE = os.path.join(ROOT, "tests", "TraceCraft.Core.Tests", "Wire", "PythonLowercaseSamples.Generated.cs")
MAX = 0x110000
SIGMA, SMALL_SIGMA, FINAL_SIGMA = "\u03a3", "\u03c3", "\u03c2"
UNICODE = unicodedata.unidata_version
PYTHON = "%d.%d.%d" % sys.version_info[:3]


def ranges(flags):
    """Sorted inclusive [first, last] ranges of the code points whose flag is set."""
    out, start = [], None
    for c in range(MAX + 1):
        on = c < MAX and flags[c]
        if on and start is None:
            start = c
        elif not on and start is not None:
            out.append((start, c - 1))
            start = None
    return out


# --- 1. Context-free mappings ------------------------------------------------------------------
single = {}  # code point -> code point
multi = {}   # code point -> string of more (or fewer) than one code point
for c in range(MAX):
    if c == 0x3A3:
        continue  # Σ depends on its context; handled by the final-sigma rule
    low = chr(c).lower()
    if low == chr(c):
        continue
    if len(low) == 1:
        single[c] = ord(low)
    else:
        multi[c] = low

# Runs of code points that share one delta, stepping by 1 (A..Z) or 2 (Ā ā Ă ă ...).
runs = []  # (first, last, stride, delta)
for c in sorted(single):
    delta = single[c] - c
    if runs:
        first, last, stride, d = runs[-1]
        if d == delta:
            if last == first and c - last in (1, 2) and (c - last == 1 or last + 1 not in single):
                runs[-1] = (first, c, c - last, d)
                continue
            if c - last == stride and (stride == 1 or last + 1 not in single):
                runs[-1] = (first, c, stride, d)
                continue
    runs.append((c, c, 1, delta))
# A run of one keeps stride 1; runs never overlap because they are built from sorted code points.
for i in range(1, len(runs)):
    assert runs[i - 1][1] < runs[i][0]

# --- 2. Properties of the final-sigma rule -----------------------------------------------------
# Σ is final when preceded by a cased letter (skipping case-ignorables) and not followed by one.
# Case-ignorable is tested first while skipping, so a character that is both (U+0345, U+02B0) is
# skipped; its Cased flag never matters. Probes:
#   (X + Σ):      ς  iff X is cased and not case-ignorable
#   (A + X + Σ):  ς  iff X is case-ignorable, or cased
ignorable = [False] * MAX
cased = [False] * MAX
for c in range(MAX):
    x = chr(c)
    alone = (x + SIGMA).lower()[-1] == FINAL_SIGMA
    after_letter = ("A" + x + SIGMA).lower()[-1] == FINAL_SIGMA
    cased[c] = alone
    ignorable[c] = after_letter and not alone
ignorable_ranges = ranges(ignorable)
cased_ranges = ranges(cased)


# --- 3. Check the tables against Python for every code point and every context -----------------
# (a) The encodings expand back to exactly the derived data.
expanded = {}
for first, last, stride, delta in runs:
    for c in range(first, last + 1, stride):
        expanded[c] = c + delta
assert expanded == single, "runs do not expand to the single mappings"


def expand(rs):
    flags = [False] * MAX
    for first, last in rs:
        for c in range(first, last + 1):
            flags[c] = True
    return flags


assert expand(ignorable_ranges) == ignorable and expand(cased_ranges) == cased, "ranges do not expand to the flags"


# (b) The algorithm of PythonLowercase.cs on that data gives str.lower() in every probe context.
def lower_char(c):
    if c in multi:
        return multi[c]
    return chr(single.get(c, c))


def emulate(s):
    out = []
    for i, ch in enumerate(s):
        c = ord(ch)
        if c != 0x3A3:
            out.append(lower_char(c))
            continue
        j = i - 1
        while j >= 0 and ignorable[ord(s[j])]:
            j -= 1
        final = j >= 0 and cased[ord(s[j])]
        if final:
            j = i + 1
            while j < len(s) and ignorable[ord(s[j])]:
                j += 1
            final = j == len(s) or not cased[ord(s[j])]
        out.append(FINAL_SIGMA if final else SMALL_SIGMA)
    return "".join(out)


for c in range(MAX):
    x = chr(c)
    for probe in (x, x + SIGMA, "A" + x + SIGMA, "A" + SIGMA + x, "A" + SIGMA + x + "A", "A" + x + x + SIGMA + x + "1"):
        if emulate(probe) != probe.lower():
            sys.exit("table disagrees with Python for U+%04X in %r" % (c, probe))

# --- 4. Random samples, checked by the C# tests ----------------------------------------------------
POOLS = [
    (0x41, 0x5A), (0x61, 0x7A), (0x30, 0x39), (0x20, 0x20), (0x2E, 0x2E), (0x2D, 0x2D), (0x27, 0x27), (0x3A, 0x3A),
    (0xC0, 0xFF), (0x100, 0x24F), (0x130, 0x131), (0x1C4, 0x1CC), (0x1F1, 0x1F3), (0x2B0, 0x2FF), (0x300, 0x36F),
    (0x345, 0x345), (0x370, 0x3FF), (0x3A3, 0x3A3), (0x3A3, 0x3A3), (0x3A3, 0x3A3), (0x3C2, 0x3C3), (0x400, 0x52F),
    (0x531, 0x587), (0x10A0, 0x10FF), (0x13A0, 0x13FD), (0x1C80, 0x1CBF), (0x1D00, 0x1DBF), (0x1E00, 0x1FFF),
    (0x1E9E, 0x1E9E), (0xAD, 0xAD), (0x200B, 0x200F), (0x2126, 0x212B), (0x2160, 0x2188), (0x24B6, 0x24E9),
    (0x2C00, 0x2C7F), (0x2D00, 0x2D2F), (0xA640, 0xA69F), (0xA720, 0xA7FF), (0xAB70, 0xABBF), (0xFB00, 0xFB17),
    (0xFE00, 0xFE0F), (0xFF21, 0xFF5A), (0x10400, 0x1044F), (0x104B0, 0x104FF), (0x10570, 0x105BF),
    (0x10C80, 0x10CFF), (0x118A0, 0x118FF), (0x16E40, 0x16E7F), (0x1E900, 0x1E95F), (0x1F600, 0x1F64F),
    (0x1F1E6, 0x1F1FF), (0xE0000, 0xE007F), (0, MAX - 1),
]


def random_char(rng):
    while True:
        first, last = rng.choice(POOLS)
        c = rng.randint(first, last)
        if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) != "Cc":
            return chr(c)  # no lone surrogates (not valid UTF-16 text) and no controls (ids refuse them)


rng = random.Random(20260312)
samples = []
seen = set()
while len(samples) < 2000:
    s = "".join(random_char(rng) for _ in range(rng.randint(1, 10)))
    if s in seen:
        continue
    seen.add(s)
    low = s.lower()
    assert emulate(s) == low, s
    samples.append((s, low))
changed = sum(1 for s, low in samples if s != low)
finals = sum(1 for s, low in samples if FINAL_SIGMA in low and FINAL_SIGMA not in s)


# --- 5. Emit C# ----------------------------------------------------------------------------------
def cs_string(s):
    """A C# string literal in pure ASCII: every non-ASCII code unit as \\uXXXX (UTF-16)."""
    out = []
    data = s.encode("utf-16-le", "surrogatepass")
    for k in range(0, len(data), 2):
        u = data[k] | (data[k + 1] << 8)
        ch = chr(u)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 0x20 <= u < 0x7F:
            out.append(ch)
        else:
            out.append("\\u%04X" % u)
    return '"' + "".join(out) + '"'


def int_rows(values, per_row, indent="            "):
    lines = []
    for k in range(0, len(values), per_row):
        lines.append(indent + ", ".join(values[k:k + per_row]) + ",")
    return "\n".join(lines)


HEADER = """// <auto-generated>
// Generated by tools/Generate-PythonLowercase.py with Python {py} (Unicode {uv}). Do not edit by hand:
// change the script and run it again.
// </auto-generated>
"""

table = HEADER.format(py=PYTHON, uv=UNICODE) + """
namespace TraceCraft.Keys
{{
    internal static partial class PythonLowercase
    {{
        /// <summary>The Unicode version of the Python that produced these tables (unicodedata.unidata_version).</summary>
        public const string UnicodeVersion = "{uv}";

        /// <summary>
        /// Runs of code points that lower-case to one code point: quadruples (first, last, stride, delta),
        /// sorted by first and disjoint. A code point c maps to c + delta when first &lt;= c &lt;= last and
        /// (c - first) is a multiple of stride. {nsingle} code points in {nruns} runs.
        /// </summary>
        private static readonly int[] s_runs =
        {{
{runs}
        }};

        /// <summary>Code points that lower-case to a string of several code points, sorted.</summary>
        private static readonly int[] s_multiFrom = {{ {mfrom} }};
        private static readonly string[] s_multiTo = {{ {mto} }};

        /// <summary>Case_Ignorable, as inclusive (first, last) pairs: skipped when looking around a capital sigma.</summary>
        private static readonly int[] s_caseIgnorable =
        {{
{ign}
        }};

        /// <summary>Cased and not Case_Ignorable, as inclusive (first, last) pairs.</summary>
        private static readonly int[] s_cased =
        {{
{cas}
        }};
    }}
}}
""".format(
    uv=UNICODE,
    nsingle=len(single),
    nruns=len(runs),
    runs=int_rows(["0x%X, 0x%X, %d, %d" % r for r in runs], 4),
    mfrom=", ".join("0x%X" % c for c in sorted(multi)),
    mto=", ".join(cs_string(multi[c]) for c in sorted(multi)),
    ign=int_rows(["0x%X, 0x%X" % r for r in ignorable_ranges], 8),
    cas=int_rows(["0x%X, 0x%X" % r for r in cased_ranges], 8),
)

sample_rows = "\n".join("            { %s, %s }," % (cs_string(s), cs_string(low)) for s, low in samples)
samples_cs = HEADER.format(py=PYTHON, uv=UNICODE) + """
namespace TraceCraft.Tests.Wire
{{
    /// <summary>
    /// {n} random strings (seed 20260312, drawn from ranges with special casing) and what Python's
    /// str.lower() returns for each; {changed} change, {finals} gain a final sigma.
    /// </summary>
    internal static class PythonLowercaseSamples
    {{
        public const string UnicodeVersion = "{uv}";

        public static readonly string[,] Cases =
        {{
{rows}
        }};
    }}
}}
""".format(n=len(samples), changed=changed, finals=finals, uv=UNICODE, rows=sample_rows)

for path, text in ((TABLE_FILE, table), (SAMPLES_FILE, samples_cs)):
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
print("Unicode %s: %d single mappings in %d runs, %d multi, %d case-ignorable ranges, %d cased ranges; %d samples (%d change, %d final sigma)"
      % (UNICODE, len(single), len(runs), len(multi), len(ignorable_ranges), len(cased_ranges), len(samples), changed, finals))
