using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;

namespace TraceCraft.Sessions
{
    /// <summary>
    /// Replaces token-shaped secrets in mirrored transcripts with <c>[REDACTED:&lt;name&gt;]</c> and counts each kind: the
    /// original 0.2.2's eight patterns, applied in its order, on bytes. Bytes are mapped one to one onto chars
    /// (Latin-1), so a pattern sees exactly the bytes Python's bytes regex sees and UTF-8 text around a match is
    /// carried through unchanged; every pattern is ASCII, so it cannot match inside a multi-byte character.
    /// </summary>
    public static class Redactor
    {
        // No RegexOptions.IgnoreCase and explicit classes: .NET's \s would also match 0x85 and 0xA0, which Python's
        // bytes \s does not. Not Compiled: the interpreter runs under Native AOT and costs little on transcript sizes.
        private static readonly (string Name, Regex Pattern)[] Patterns =
        {
            ("aws_access_key", Make("AKIA[0-9A-Z]{16}")),
            ("aws_session_token", Make("ASIA[0-9A-Z]{16}")),
            ("anthropic_key", Make("sk-ant-[A-Za-z0-9_-]{20,}")),
            ("openai_key", Make("sk-(?:proj-|svcacct-)?[A-Za-z0-9]{20,}")),
            ("hf_token", Make("hf_[A-Za-z0-9]{30,}")),
            ("github_pat", Make("gh[pousr]_[A-Za-z0-9]{30,}")),
            ("slack_token", Make("xox[abprs]-[A-Za-z0-9-]{10,}")),
            ("bearer_token", Make("Bearer[ \\t\\n\\r\\f\\v]+[A-Za-z0-9_.-]{20,}")),
        };

        /// <summary>The pattern names, in the order they are applied (and listed).</summary>
        public static IEnumerable<string> Names
        {
            get { foreach (var p in Patterns) yield return p.Name; }
        }

        private static Regex Make(string pattern) => new Regex(pattern, RegexOptions.CultureInvariant);

        /// <summary>The redacted bytes and the count of each pattern that matched (names with no match are absent).</summary>
        public static byte[] Redact(byte[] data, out RedactionCounts counts)
        {
            var found = new List<KeyValuePair<string, long>>();
            string text = ToChars(data);
            foreach (var (name, pattern) in Patterns)
            {
                long n = 0;
                text = pattern.Replace(text, _ => { n++; return "[REDACTED:" + name + "]"; });
                if (n > 0) found.Add(new KeyValuePair<string, long>(name, n));
            }
            counts = new RedactionCounts(found);
            return found.Count == 0 ? data : ToBytes(text);
        }

        private static string ToChars(byte[] data)
        {
            var chars = new char[data.Length];
            for (int i = 0; i < data.Length; i++) chars[i] = (char)data[i];
            return new string(chars);
        }

        private static byte[] ToBytes(string text)
        {
            var bytes = new byte[text.Length];
            for (int i = 0; i < text.Length; i++) bytes[i] = (byte)text[i];
            return bytes;
        }
    }

    /// <summary>Counts per pattern name, enumerated in pattern order (a Dictionary's order is not promised); sums of these are what meta.json records.</summary>
    public sealed class RedactionCounts : IReadOnlyDictionary<string, long>
    {
        private readonly List<KeyValuePair<string, long>> _items;

        public RedactionCounts(IEnumerable<KeyValuePair<string, long>> items) => _items = new List<KeyValuePair<string, long>>(items);

        public static readonly RedactionCounts Empty = new RedactionCounts(new KeyValuePair<string, long>[0]);

        /// <summary>Adds counts up, name by name, in pattern order first and unknown names (another writer's) after.</summary>
        public static RedactionCounts Sum(IEnumerable<IReadOnlyDictionary<string, long>> counts)
        {
            var totals = new Dictionary<string, long>();
            var order = new List<string>(Redactor.Names);
            foreach (var c in counts)
                foreach (var pair in c)
                {
                    if (!order.Contains(pair.Key)) order.Add(pair.Key);
                    totals[pair.Key] = (totals.TryGetValue(pair.Key, out long t) ? t : 0) + pair.Value;
                }
            var items = new List<KeyValuePair<string, long>>();
            foreach (var name in order)
                if (totals.TryGetValue(name, out long n) && n > 0) items.Add(new KeyValuePair<string, long>(name, n));
            return new RedactionCounts(items);
        }

        public long this[string key] => TryGetValue(key, out long v) ? v : throw new KeyNotFoundException(key);
        public IEnumerable<string> Keys { get { foreach (var p in _items) yield return p.Key; } }
        public IEnumerable<long> Values { get { foreach (var p in _items) yield return p.Value; } }
        public int Count => _items.Count;
        public bool ContainsKey(string key) => TryGetValue(key, out _);
        public bool TryGetValue(string key, out long value)
        {
            foreach (var p in _items)
                if (p.Key == key) { value = p.Value; return true; }
            value = 0;
            return false;
        }
        public IEnumerator<KeyValuePair<string, long>> GetEnumerator() => _items.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>As Python prints a dict: <c>{'openai_key': 1, 'github_pat': 2}</c>; <c>none</c> when empty (the mirror line).</summary>
        public string ToPythonText()
        {
            if (_items.Count == 0) return "none";
            var text = new StringBuilder("{");
            for (int i = 0; i < _items.Count; i++)
            {
                if (i > 0) text.Append(", ");
                text.Append('\'').Append(_items[i].Key).Append("': ").Append(_items[i].Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            return text.Append('}').ToString();
        }

        public override string ToString() => ToPythonText();
    }
}
