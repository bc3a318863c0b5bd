using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using TraceCraft.PowerShell.Commands;

namespace TraceCraft.PowerShell.Completers
{
    /// <summary>
    /// Matching, quoting and caching for every completer, in one place. Values come from the bucket, cached for
    /// 10 seconds per kind and folder; a completer never throws (no config, store down: no suggestions).
    /// </summary>
    internal static class CompletionHelper
    {
        private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
        private static readonly ConcurrentDictionary<string, (DateTime At, string[] Values)> Cache = new ConcurrentDictionary<string, (DateTime, string[])>();

        public static IEnumerable<CompletionResult> Complete(string kind, string wordToComplete, Func<TcSession, IEnumerable<string>> read, params string[] extra)
        {
            string[] values;
            try
            {
                string folder = CurrentFolder();
                string cacheKey = kind + "|" + folder;
                if (Cache.TryGetValue(cacheKey, out var cached) && DateTime.UtcNow - cached.At < CacheFor)
                {
                    values = cached.Values;
                }
                else
                {
                    var session = SessionRegistry.Open(folder);
                    values = read(session).Distinct(StringComparer.Ordinal).OrderBy(v => v, StringComparer.OrdinalIgnoreCase).ToArray();
                    Cache[cacheKey] = (DateTime.UtcNow, values);
                }
            }
            catch (Exception)
            {
                // Completion must never disturb typing: no config or no store means no suggestions.
                values = Array.Empty<string>();
            }
            return Match(wordToComplete, extra.Concat(values));
        }

        /// <summary>Values that start with the typed word (quotes ignored, case-insensitive), quoted when needed.</summary>
        public static IEnumerable<CompletionResult> Match(string wordToComplete, IEnumerable<string> values)
        {
            string word = (wordToComplete ?? "").Trim('\'', '"');
            var pattern = WildcardPattern.Get(WildcardPattern.Escape(word) + "*", WildcardOptions.IgnoreCase);
            foreach (var value in values.Where(v => pattern.IsMatch(v)))
                yield return new CompletionResult(Quote(value), value, CompletionResultType.ParameterValue, value);
        }

        /// <summary>The value already typed for another parameter of the command line, or null.</summary>
        public static object? Bound(System.Collections.IDictionary? fakeBoundParameters, string name)
        {
            if (fakeBoundParameters is null) return null;
            foreach (System.Collections.DictionaryEntry entry in fakeBoundParameters)
                if (string.Equals(entry.Key as string, name, StringComparison.OrdinalIgnoreCase))
                    return entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
            return null;
        }

        private static string Quote(string value) =>
            value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || "'\"`$(){}[];,&|@#<>".IndexOf(c) >= 0)
                ? "'" + value.Replace("'", "''") + "'"
                : value;

        private static string CurrentFolder()
        {
            using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddScript("$ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath");
            var result = ps.Invoke();
            return result.Count > 0 ? result[0].BaseObject.ToString()! : Environment.CurrentDirectory;
        }
    }
}
