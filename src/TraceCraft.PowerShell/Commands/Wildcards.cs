using System.Linq;
using System.Management.Automation;

namespace TraceCraft.PowerShell.Commands
{
    internal static class Wildcards
    {
        /// <summary>True when no patterns are given or one matches (case-insensitive, as PowerShell matches names).</summary>
        public static bool Matches(string[]? patterns, string value) =>
            patterns is null || patterns.Length == 0 || patterns.Any(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase).IsMatch(value));
    }
}
