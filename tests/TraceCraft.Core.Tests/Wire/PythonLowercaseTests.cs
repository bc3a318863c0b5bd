using TraceCraft.Keys;
using TraceCraft.Wire;
using Xunit;

namespace TraceCraft.Tests.Wire
{
    /// <summary>
    /// Step folders are <c>sid.lower().replace('.', '-')</c> with Python's str.lower(). Every expected value here
    /// was computed by Python 3.11 (Unicode 14.0.0); none depends on the platform running the tests.
    /// </summary>
    public sealed class PythonLowercaseTests
    {
        [Theory]
        // Final sigma: a cased letter before (skipping case-ignorables), none after (skipping case-ignorables).
        [InlineData("\u03A3\u03A4\u0395\u03A0\u03A3", "\u03C3\u03C4\u03B5\u03C0\u03C2")]          // ΣΤΕΠΣ → στεπς
        [InlineData("\u038C\u03A3\u039F\u03A3.\u0391", "\u03CC\u03C3\u03BF\u03C3-\u03B1")]        // ΌΣΟΣ.Α: '.' is skipped, Α follows
        [InlineData("\u03A3", "\u03C3")]                                                          // a lone Σ has nothing before it
        [InlineData("\u03A3.", "\u03C3-")]
        [InlineData("A\u03A31", "a\u03C21")]                                                      // a digit is not cased
        [InlineData("A\u03A3", "a\u03C2")]
        [InlineData("\u03A3A", "\u03C3a")]
        [InlineData("\u03A3.\u03A3", "\u03C3-\u03C2")]
        [InlineData("A'\u03A3", "a'\u03C2")]                                                      // apostrophe is case-ignorable
        [InlineData("A\u03A3'", "a\u03C2'")]
        [InlineData("A\u0301\u03A3", "a\u0301\u03C2")]                                            // combining acute is skipped
        [InlineData("A\u03A3\u0301B", "a\u03C3\u0301b")]
        [InlineData("\u02B0\u03A3", "\u02B0\u03C3")]                                              // ʰ is cased but also ignorable
        [InlineData("A\u0345\u03A3", "a\u0345\u03C2")]
        [InlineData("\u0391\u03A3\uD801\uDC00", "\u03B1\u03C3\uD801\uDC28")]                      // a cased Deseret letter follows
        [InlineData("\uD801\uDC00\u03A3", "\uD801\uDC28\u03C2")]                                  // and precedes
        [InlineData("1\u03A3", "1\u03C3")]
        [InlineData("\u0391\u03A3 \u0391", "\u03B1\u03C2 \u03B1")]                                // a space ends the word
        [InlineData("A\u03A3\uD800", "a\u03C2\uD800")]                                            // a lone surrogate stands for itself
        // Dotted and dotless I.
        [InlineData("\u0130", "i\u0307")]
        [InlineData("I", "i")]
        [InlineData("\u0131", "\u0131")]
        [InlineData("\u0130STANBUL.1", "i\u0307stanbul-1")]
        // Sharp s, ligatures, digraphs.
        [InlineData("\u00DF", "\u00DF")]
        [InlineData("\u1E9E", "\u00DF")]
        [InlineData("\uFB01", "\uFB01")]
        [InlineData("\uFB03", "\uFB03")]
        [InlineData("\u01C4", "\u01C6")]
        [InlineData("\u01C5", "\u01C6")]
        [InlineData("\u01C6", "\u01C6")]
        // Precomposed and combining forms stay as they are (no normalization).
        [InlineData("\u00C9", "\u00E9")]
        [InlineData("E\u0301", "e\u0301")]
        // Cherokee: capitals lower-case to the Cherokee Supplement; small letters stay.
        [InlineData("\u13A0", "\uAB70")]
        [InlineData("\uAB70", "\uAB70")]
        [InlineData("\u13F8", "\u13F8")]
        // Georgian Mtavruli to Mkhedruli.
        [InlineData("\u1C90", "\u10D0")]
        [InlineData("\u10D0", "\u10D0")]
        // Outside the BMP: Deseret, Osage, Adlam, emoji.
        [InlineData("\uD801\uDC00", "\uD801\uDC28")]
        [InlineData("\uD801\uDCB0", "\uD801\uDCD8")]
        [InlineData("\uD83A\uDD00", "\uD83A\uDD22")]
        [InlineData("\uD83D\uDE00", "\uD83D\uDE00")]
        // Kelvin, Ohm and Angstrom signs, Roman numerals, circled and fullwidth letters.
        [InlineData("\u212A", "k")]
        [InlineData("\u2126", "\u03C9")]
        [InlineData("\u212B", "\u00E5")]
        [InlineData("\u216B", "\u217B")]
        [InlineData("\u24B6", "\u24D0")]
        [InlineData("\uFF21", "\uFF41")]
        // Ordinary ids.
        [InlineData("S1.A", "s1-a")]
        [InlineData("Claim Only", "claim only")]
        public void Step_folders_match_python(string stepId, string expectedFolder) =>
            Assert.Equal(expectedFolder, ProjectLayout.StepFolder(stepId));

        [Fact]
        public void Two_thousand_random_ids_map_to_the_folders_python_computes()
        {
            Assert.Equal(PythonLowercase.UnicodeVersion, PythonLowercaseSamples.UnicodeVersion);
            int count = PythonLowercaseSamples.Cases.GetLength(0);
            Assert.Equal(2000, count);
            var wrong = new System.Collections.Generic.List<string>();
            for (int i = 0; i < count; i++)
            {
                string input = PythonLowercaseSamples.Cases[i, 0], expected = PythonLowercaseSamples.Cases[i, 1];
                // The folder is what has to agree with the original; it is Python's lower-case with '.' as '-'.
                string actual = ProjectLayout.StepFolder(input);
                expected = expected.Replace('.', '-');
                if (actual != expected) wrong.Add($"#{i} {Hex(input)}: expected {Hex(expected)}, got {Hex(actual)}");
            }
            Assert.True(wrong.Count == 0, $"{wrong.Count} of {count} differ from Python:\n" + string.Join("\n", wrong.GetRange(0, System.Math.Min(20, wrong.Count))));
        }

        [Fact]
        public void Ascii_ids_that_need_no_change_are_returned_as_they_are()
        {
            const string id = "build-step 2.a";
            Assert.Same(id, PythonLowercase.Lower(id));
            Assert.Equal("build-step 2.a", PythonLowercase.Lower("BUILD-Step 2.A"));
            Assert.Equal("", PythonLowercase.Lower(""));
        }

        private static string Hex(string text)
        {
            var parts = new System.Collections.Generic.List<string>();
            foreach (char c in text) parts.Add(((int)c).ToString("X4"));
            return string.Join(" ", parts);
        }
    }
}
