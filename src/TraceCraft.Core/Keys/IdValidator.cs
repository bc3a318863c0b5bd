using System;
using TraceCraft.Errors;

namespace TraceCraft.Keys
{
    /// <summary>What an identifier names; used in error messages.</summary>
    public enum IdKind { Step, Agent, MemoryKey, ArtifactName, Project, MemoryPrefix, SessionId }

    /// <summary>
    /// Rejects identifiers that could walk out of their folder or break a key. The original CLI checks
    /// nothing; we refuse empty ids, '/', '\', '..', control characters (NUL included) and over 200 characters.
    /// </summary>
    public static class IdValidator
    {
        public const int MaxLength = 200;

        /// <summary>The recipient that means "every agent".</summary>
        public const string Broadcast = "_broadcast";

        public static string Validate(IdKind kind, string? value)
        {
            string name = Describe(kind);
            if (value is null || value.Trim().Length == 0)
                throw Invalid(kind, value ?? "", $"The {name} is empty: give a non-empty {name}.");
            if (value.Length > MaxLength)
                throw Invalid(kind, Shorten(value), $"The {name} is {value.Length} characters long; at most {MaxLength} are allowed.");
            foreach (char c in value)
            {
                if (char.IsControl(c))
                    throw Invalid(kind, value, $"The {name} '{Printable(value)}' contains a control character (code {(int)c}), which is not allowed.");
                if (c == '/' || c == '\\')
                    throw Invalid(kind, value, $"The {name} '{value}' contains '{c}', which is not allowed: it would reach outside its folder.");
            }
            if (value.Contains(".."))
                throw Invalid(kind, value, $"The {name} '{value}' contains '..', which is not allowed.");
            if (kind is IdKind.MemoryKey && (value.StartsWith(".", StringComparison.Ordinal) || value.EndsWith(".", StringComparison.Ordinal)))
                throw Invalid(kind, value, $"The memory key '{value}' starts or ends with '.': dots separate parts of a key, and no part may be empty.");
            if (kind is IdKind.ArtifactName && value == ".")
                throw Invalid(kind, value, "The artifact name '.' is not a file name.");
            if (kind is IdKind.Agent && value == Broadcast)
                throw Invalid(kind, value, $"'{Broadcast}' is the recipient for everyone and cannot be an agent id.");
            return value;
        }

        /// <summary>A recipient is an agent id or <see cref="Broadcast"/>.</summary>
        public static string ValidateRecipient(string? value) =>
            value == Broadcast ? Broadcast : Validate(IdKind.Agent, value);

        private static TcException Invalid(IdKind kind, string value, string message) =>
            new TcException(TcErrorCode.InvalidIdentifier, message, value) { Detail = kind };

        private static string Describe(IdKind kind) => kind switch
        {
            IdKind.Step => "step id",
            IdKind.Agent => "agent id",
            IdKind.MemoryKey => "memory key",
            IdKind.MemoryPrefix => "memory prefix",
            IdKind.ArtifactName => "artifact name",
            IdKind.SessionId => "session id",
            _ => "project name",
        };

        private static string Shorten(string value) => value.Substring(0, 40) + "...";

        private static string Printable(string value)
        {
            var text = new System.Text.StringBuilder();
            foreach (char c in value) text.Append(char.IsControl(c) ? "\\u" + ((int)c).ToString("x4") : c.ToString());
            return text.ToString();
        }
    }
}
