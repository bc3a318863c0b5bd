using System;
using System.Collections.Generic;
using System.Linq;
using TraceCraft.Errors;
using TraceCraft.Options;

namespace TraceCraft.CommandLine
{
    /// <summary>
    /// A verb's command line after parsing: positionals, options with values and flags. Accepts
    /// <c>--name value</c>, <c>--name=value</c>, short aliases (<c>-o</c>) and <c>--</c> to end options.
    /// Unknown options and missing values are usage errors (exit code 2), as in the original.
    /// </summary>
    public sealed class CliArguments
    {
        private readonly Dictionary<string, string> _values = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly HashSet<string> _flags = new HashSet<string>(StringComparer.Ordinal);

        public List<string> Positionals { get; } = new List<string>();

        public string? Value(string name) => _values.TryGetValue(name, out var v) ? v : null;
        public bool Flag(string name) => _flags.Contains(name);

        public static CliArguments Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> valueOptions, IReadOnlyCollection<string> flagOptions, IReadOnlyDictionary<string, string>? aliases = null)
        {
            var parsed = new CliArguments();
            bool optionsEnded = false;
            for (int i = 0; i < args.Count; i++)
            {
                string arg = args[i];
                if (optionsEnded || arg.Length < 2 || arg[0] != '-' || IsNumber(arg))
                {
                    parsed.Positionals.Add(arg);
                    continue;
                }
                if (arg == "--") { optionsEnded = true; continue; }
                string name = arg, inline = null!;
                bool hasInline = false;
                int eq = arg.IndexOf('=');
                if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
                {
                    name = arg.Substring(0, eq);
                    inline = arg.Substring(eq + 1);
                    hasInline = true;
                }
                if (aliases is not null && aliases.TryGetValue(name, out var canonical)) name = canonical;
                if (valueOptions.Contains(name))
                {
                    if (hasInline) parsed._values[name] = inline;
                    else if (i + 1 < args.Count) parsed._values[name] = args[++i];
                    else throw Usage($"argument {name}: expected one argument");
                }
                else if (flagOptions.Contains(name))
                {
                    if (hasInline) throw Usage($"argument {name}: ignored explicit argument '{inline}'");
                    parsed._flags.Add(name);
                }
                else
                {
                    throw Usage($"unrecognized arguments: {arg}");
                }
            }
            return parsed;
        }

        /// <summary>
        /// Takes a global flag (<c>--json</c>) out of a command line wherever it stands before a <c>--</c> that ends the
        /// options; true when it was there. After <c>--</c> it is an argument like any other and stays.
        /// </summary>
        public static bool TakeFlag(IReadOnlyList<string> args, string flag, out List<string> rest)
        {
            rest = new List<string>(args.Count);
            bool found = false, optionsEnded = false;
            foreach (string arg in args)
            {
                if (arg == "--") optionsEnded = true;
                if (!optionsEnded && arg == flag) found = true;
                else rest.Add(arg);
            }
            return found;
        }

        public string Required(int index, string what)
        {
            if (index < Positionals.Count) return Positionals[index];
            throw Usage($"the following arguments are required: {what}");
        }

        public void NoMoreThan(int count)
        {
            if (Positionals.Count > count) throw Usage($"unrecognized arguments: {string.Join(" ", Positionals.Skip(count))}");
        }

        public static TcException Usage(string message) => new TcException(TcErrorCode.UsageError, message);

        /// <summary>
        /// Every number-of-seconds option of the command line and the values it allows, from the one definition both
        /// hosts use (<see cref="TcOptions"/>), so that no verb can pass a value the engine or the runtime cannot hold.
        /// </summary>
        private static readonly Dictionary<string, (double Min, double Max)> SecondsRanges = new Dictionary<string, (double, double)>(StringComparer.Ordinal)
        {
            ["--timeout"] = (TcOptions.MinTimeoutSeconds, TcOptions.MaxTimeoutSeconds),
            ["--lease"] = (TcOptions.MinLeaseSeconds, TcOptions.MaxLeaseSeconds),
            ["--stale-after"] = (TcOptions.MinStaleAfterSeconds, TcOptions.MaxStaleAfterSeconds),
            ["--interval"] = (TcOptions.MinBoardIntervalSeconds, TcOptions.MaxBoardIntervalSeconds),
        };

        /// <summary>The value of a number-of-seconds option, checked against its range; null when the option is absent.</summary>
        public double? Seconds(string option)
        {
            if (Value(option) is not string text) return null;
            var (min, max) = SecondsRanges[option];
            if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value)
                || double.IsNaN(value) || double.IsInfinity(value))
                throw Usage($"argument {option}: invalid number of seconds: '{text}'");
            if (value < min || value > max)
                throw Usage($"argument {option}: {text} is out of range: give {min.ToString(System.Globalization.CultureInfo.InvariantCulture)} to {max.ToString(System.Globalization.CultureInfo.InvariantCulture)} seconds");
            return value;
        }

        /// <summary>The value of a whole-number option within [min, max]; null when the option is absent.</summary>
        public int? Whole(string option, int min, int max)
        {
            if (Value(option) is not string text) return null;
            if (!int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int value) || value < min || value > max)
                throw Usage($"argument {option}: '{text}' is not a whole number from {min} to {max}");
            return value;
        }

        /// <summary>
        /// The fencing token of the claim the caller holds: <c>--token N</c>, else <c>TRACECRAFT_TOKEN</c>, else null
        /// (then the claim is checked by the agent name only, as the original checks it).
        /// </summary>
        public long? Token(Func<string, string?> environment)
        {
            string? text = Value("--token");
            string source = "argument --token";
            if (text is null && environment("TRACECRAFT_TOKEN") is { Length: > 0 } fromEnvironment)
            {
                text = fromEnvironment;
                source = "TRACECRAFT_TOKEN";
            }
            if (text is null) return null;
            if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long token) || token < 1)
                throw Usage($"{source}: '{text}' is not a fencing token: give the whole number that claim printed (1 or more)");
            return token;
        }

        private static bool IsNumber(string arg) => double.TryParse(arg, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
    }
}
