namespace Retrieval.Storage.Qdrant;

/// <summary>
/// Martin Porter's 1980 suffix-stripping algorithm, after his reference C implementation: the same stemmer as SQLite
/// FTS5's <c>porter</c> tokenizer (the embedded store), so both stores reduce "running", "runs" and "run" to "run".
/// Only lower-case ASCII words of 3 to 64 letters are stemmed; anything else is returned unchanged.
/// </summary>
internal static class PorterStemmer
{
    private const int MaxLength = 64;

    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length < 3 || word.Length > MaxLength || !IsLowerAscii(word))
        {
            return word;
        }

        var stemmer = new State(word);
        stemmer.Run();
        return stemmer.Result;
    }

    private static bool IsLowerAscii(string word)
    {
        foreach (var c in word)
        {
            if (c is < 'a' or > 'z')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>b[0..k] is the word being stemmed; j marks the end of the stem before a matched suffix.</summary>
    private sealed class State(string word)
    {
        private readonly char[] b = word.ToCharArray();
        private int k = word.Length - 1;
        private int j;

        public string Result => new(b, 0, k + 1);

        public void Run()
        {
            Step1Ab();
            if (k > 0)
            {
                Step1C();
                Step2();
                Step3();
                Step4();
                Step5();
            }
        }

        private bool Cons(int i) => b[i] switch
        {
            'a' or 'e' or 'i' or 'o' or 'u' => false,
            'y' => i == 0 || !Cons(i - 1),
            _ => true,
        };

        /// <summary>The number of vowel-consonant sequences in b[0..j].</summary>
        private int M()
        {
            var n = 0;
            var i = 0;
            while (true)
            {
                if (i > j)
                {
                    return n;
                }

                if (!Cons(i))
                {
                    break;
                }

                i++;
            }

            i++;
            while (true)
            {
                while (true)
                {
                    if (i > j)
                    {
                        return n;
                    }

                    if (Cons(i))
                    {
                        break;
                    }

                    i++;
                }

                i++;
                n++;
                while (true)
                {
                    if (i > j)
                    {
                        return n;
                    }

                    if (!Cons(i))
                    {
                        break;
                    }

                    i++;
                }

                i++;
            }
        }

        private bool VowelInStem()
        {
            for (var i = 0; i <= j; i++)
            {
                if (!Cons(i))
                {
                    return true;
                }
            }

            return false;
        }

        private bool DoubleC(int at) => at >= 1 && b[at] == b[at - 1] && Cons(at);

        /// <summary>consonant-vowel-consonant ending at i, the last consonant not w, x or y (hop, not snow).</summary>
        private bool Cvc(int i) =>
            i >= 2 && Cons(i) && !Cons(i - 1) && Cons(i - 2) && b[i] is not ('w' or 'x' or 'y');

        private bool Ends(string suffix)
        {
            var length = suffix.Length;
            if (length > k + 1 || b[k] != suffix[^1])
            {
                return false;
            }

            for (var i = 0; i < length; i++)
            {
                if (b[k - length + 1 + i] != suffix[i])
                {
                    return false;
                }
            }

            j = k - length;
            return true;
        }

        private void SetTo(string replacement)
        {
            for (var i = 0; i < replacement.Length; i++)
            {
                b[j + 1 + i] = replacement[i];
            }

            k = j + replacement.Length;
        }

        private void ReplaceIfMeasured(string replacement)
        {
            if (M() > 0)
            {
                SetTo(replacement);
            }
        }

        private void Step1Ab()
        {
            if (b[k] == 's')
            {
                if (Ends("sses"))
                {
                    k -= 2;
                }
                else if (Ends("ies"))
                {
                    SetTo("i");
                }
                else if (b[k - 1] != 's')
                {
                    k--;
                }
            }

            if (Ends("eed"))
            {
                if (M() > 0)
                {
                    k--;
                }
            }
            else if ((Ends("ed") || Ends("ing")) && VowelInStem())
            {
                k = j;
                if (Ends("at"))
                {
                    SetTo("ate");
                }
                else if (Ends("bl"))
                {
                    SetTo("ble");
                }
                else if (Ends("iz"))
                {
                    SetTo("ize");
                }
                else if (DoubleC(k))
                {
                    k--;
                    if (b[k] is 'l' or 's' or 'z')
                    {
                        k++;
                    }
                }
                else if (M() == 1 && Cvc(k))
                {
                    SetTo("e");
                }
            }
        }

        private void Step1C()
        {
            if (Ends("y") && VowelInStem())
            {
                b[k] = 'i';
            }
        }

        private void Step2()
        {
            var rules = b[k - 1] switch
            {
                'a' => Step2A,
                'c' => Step2C,
                'e' => Step2E,
                'l' => Step2L,
                'o' => Step2O,
                's' => Step2S,
                't' => Step2T,
                'g' => Step2G,
                _ => [],
            };
            ApplyFirst(rules);
        }

        private void Step3()
        {
            var rules = b[k] switch
            {
                'e' => Step3E,
                'i' => Step3I,
                'l' => Step3L,
                's' => Step3S,
                _ => [],
            };
            ApplyFirst(rules);
        }

        /// <summary>The first rule whose suffix matches is applied when the stem's measure is positive; later rules are not tried.</summary>
        private void ApplyFirst((string Suffix, string Replacement)[] rules)
        {
            foreach (var (suffix, replacement) in rules)
            {
                if (Ends(suffix))
                {
                    ReplaceIfMeasured(replacement);
                    return;
                }
            }
        }

        private void Step4()
        {
            if (k < 1)
            {
                return;
            }

            var matched = b[k - 1] switch
            {
                'a' => Ends("al"),
                'c' => Ends("ance") || Ends("ence"),
                'e' => Ends("er"),
                'i' => Ends("ic"),
                'l' => Ends("able") || Ends("ible"),
                'n' => Ends("ant") || Ends("ement") || Ends("ment") || Ends("ent"),
                'o' => (Ends("ion") && j >= 0 && b[j] is 's' or 't') || Ends("ou"),
                's' => Ends("ism"),
                't' => Ends("ate") || Ends("iti"),
                'u' => Ends("ous"),
                'v' => Ends("ive"),
                'z' => Ends("ize"),
                _ => false,
            };
            if (matched && M() > 1)
            {
                k = j;
            }
        }

        private void Step5()
        {
            j = k;
            if (b[k] == 'e')
            {
                var a = M();
                if (a > 1 || (a == 1 && !Cvc(k - 1)))
                {
                    k--;
                }
            }

            if (b[k] == 'l' && DoubleC(k) && M() > 1)
            {
                k--;
            }
        }

        private static readonly (string, string)[] Step2A = [("ational", "ate"), ("tional", "tion")];
        private static readonly (string, string)[] Step2C = [("enci", "ence"), ("anci", "ance")];
        private static readonly (string, string)[] Step2E = [("izer", "ize")];
        private static readonly (string, string)[] Step2L = [("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous")];
        private static readonly (string, string)[] Step2O = [("ization", "ize"), ("ation", "ate"), ("ator", "ate")];
        private static readonly (string, string)[] Step2S = [("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous")];
        private static readonly (string, string)[] Step2T = [("aliti", "al"), ("iviti", "ive"), ("biliti", "ble")];
        private static readonly (string, string)[] Step2G = [("logi", "log")];
        private static readonly (string, string)[] Step3E = [("icate", "ic"), ("ative", ""), ("alize", "al")];
        private static readonly (string, string)[] Step3I = [("iciti", "ic")];
        private static readonly (string, string)[] Step3L = [("ical", "ic"), ("ful", "")];
        private static readonly (string, string)[] Step3S = [("ness", "")];
    }
}
