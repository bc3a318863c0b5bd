using System;
using System.Text;
using System.Text.RegularExpressions;

namespace TraceCraft.Protocol
{
    /// <summary>
    /// Wildcards for step ids (<c>*</c>, <c>?</c>, <c>[abc]</c>), case-insensitive like PowerShell's and like step folders.
    /// Written here because the engine has no PowerShell types (WildcardPattern) and the command line needs the same rules.
    /// </summary>
    public static class StepFilter
    {
        public static Func<string, bool> Create(string pattern)
        {
            var regex = new StringBuilder("^");
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                int close;
                if (c == '*') regex.Append(".*");
                else if (c == '?') regex.Append('.');
                else if (c == '[' && (close = pattern.IndexOf(']', i + 1)) > i + 1)
                {
                    regex.Append('[').Append(Regex.Escape(pattern.Substring(i + 1, close - i - 1)).Replace("\\-", "-")).Append(']');
                    i = close;
                }
                else regex.Append(Regex.Escape(c.ToString()));
            }
            var compiled = new Regex(regex.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
            return compiled.IsMatch;
        }
    }
}
