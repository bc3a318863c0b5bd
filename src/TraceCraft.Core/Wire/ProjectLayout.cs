using System;
using TraceCraft.Keys;

namespace TraceCraft.Wire
{
    /// <summary>
    /// Every object key of the bucket layout (docs/wire-format.md) in one place. Callers pass validated ids.
    /// </summary>
    public sealed class ProjectLayout
    {
        public ProjectLayout(string project)
        {
            Project = IdValidator.Validate(IdKind.Project, project);
            Root = Project + "/";
        }

        public string Project { get; }
        public string Root { get; }

        /// <summary>
        /// Step id to folder, exactly as the original maps it (<c>sid.lower().replace('.', '-')</c>): Python's
        /// lower-case, then '.' becomes '-'. Lower-casing comes first: '.' is case-ignorable for the final-sigma rule.
        /// </summary>
        public static string StepFolder(string stepId) => PythonLowercase.Lower(stepId).Replace('.', '-');

        public string AgentsPrefix => Root + "agents/";
        public string AgentKey(string agent) => AgentsPrefix + agent + ".json";

        public string MemoryPrefix => Root + "memory/";
        /// <summary>'design.status' becomes 'memory/design/status.json'.</summary>
        public string MemoryKey(string key) => MemoryPrefix + key.Replace('.', '/') + ".json";
        /// <summary>Back from an object key to the dotted memory key.</summary>
        public string MemoryKeyOf(string objectKey)
        {
            string path = objectKey.Substring(MemoryPrefix.Length);
            if (path.EndsWith(".json", StringComparison.Ordinal)) path = path.Substring(0, path.Length - 5);
            return path.Replace('/', '.');
        }

        public string MessagesPrefix(string recipient) => Root + "messages/" + recipient + "/";
        public string MessageKey(string recipient, long unixNanoseconds, string sender, string hex8) =>
            MessagesPrefix(recipient) + unixNanoseconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "_" + sender + "_" + hex8 + ".json";
        /// <summary>A message's id: its object name without '.json'.</summary>
        public static string MessageIdOf(string messageKey)
        {
            string name = messageKey.Substring(messageKey.LastIndexOf('/') + 1);
            return name.EndsWith(".json", StringComparison.Ordinal) ? name.Substring(0, name.Length - 5) : name;
        }
        /// <summary>
        /// What a message id (<c>&lt;ns&gt;_&lt;sender&gt;_&lt;hex8&gt;</c>) tells without its body: the sender, and the sender's
        /// clock when it sent; each null when the id is not of that form.
        /// </summary>
        public static void ReadMessageId(string id, out string? sender, out DateTimeOffset? sentAt)
        {
            int first = id.IndexOf('_'), last = id.LastIndexOf('_');
            sender = first > 0 && last > first ? id.Substring(first + 1, last - first - 1) : null;
            sentAt = first > 0 && long.TryParse(id.Substring(0, first), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long ns)
                ? WireTime.FromUnixNanoseconds(ns) : null;
        }

        public string StepsPrefix => Root + "steps/";
        public string StepPrefix(string stepId) => StepsPrefix + StepFolder(stepId) + "/";
        public string ClaimKey(string stepId) => StepPrefix(stepId) + "claim.json";
        public string StatusKey(string stepId) => StepPrefix(stepId) + "status.json";
        public string HandoffKey(string stepId) => StepPrefix(stepId) + "handoff.json";
        /// <summary>Ours: a step's declared dependencies and description.</summary>
        public string SpecKey(string stepId) => StepPrefix(stepId) + "spec.json";
        /// <summary>Handoffs of earlier runs of a reopened step (ours), one object each, in time order.</summary>
        public string HandoffHistoryPrefix(string stepId) => StepPrefix(stepId) + "handoffs/";
        public string HandoffHistoryKey(string stepId, long createdUnixNanoseconds) =>
            HandoffHistoryPrefix(stepId) + createdUnixNanoseconds.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + ".json";

        /// <summary>
        /// Ours: each claim a new holder replaced (takeover, a claim after release, reopen), one object per token, so a
        /// report can draw every attempt of the step, not only the last.
        /// </summary>
        public string AttemptsPrefix(string stepId) => StepPrefix(stepId) + "attempts/";
        public string AttemptKey(string stepId, long token) =>
            AttemptsPrefix(stepId) + token.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + ".json";

        /// <summary>Every recipient's messages folder (<c>messages/</c>): one listing shows every message of the project.</summary>
        public string AllMessagesPrefix => Root + "messages/";

        public const string SharedArtifacts = "shared";
        public string ArtifactsPrefix(string? stepId) => Root + "artifacts/" + (stepId is null ? SharedArtifacts : StepFolder(stepId)) + "/";
        public string ArtifactKey(string? stepId, string name) => ArtifactsPrefix(stepId) + name;

        /// <summary>Ours: per-agent record of broadcasts it has deleted for itself (broadcasts stay for others).</summary>
        public string ReceiptsKey(string agent) => Root + "receipts/" + agent + ".json";

        /// <summary>
        /// Ours: where an agent's consuming reads record which message one of its readers took (exactly-once
        /// read-and-delete): <c>receipts/&lt;agent&gt;/taken/</c>. Never under <c>messages/</c>, which the original lists.
        /// </summary>
        public string TakenReceiptsPrefix(string agent) => Root + "receipts/" + agent + "/taken/";
        /// <summary>'messages/&lt;recipient&gt;/&lt;id&gt;.json' is taken by agent A as 'receipts/A/taken/&lt;recipient&gt;/&lt;id&gt;.json'.</summary>
        public string TakenReceiptKey(string agent, string messageKey) => TakenReceiptsPrefix(agent) + messageKey.Substring(MessagesRoot.Length);
        /// <summary>Back from a taken receipt to the message it stands for.</summary>
        public string MessageKeyOfTakenReceipt(string agent, string receiptKey) => MessagesRoot + receiptKey.Substring(TakenReceiptsPrefix(agent).Length);
        private string MessagesRoot => Root + "messages/";

        /// <summary>Mirrored agent transcripts (the original 0.2.2's <c>sessions/&lt;harness&gt;/&lt;session-id&gt;/</c>).</summary>
        public string SessionsPrefix => Root + "sessions/";
        public string SessionPrefix(string harness, string sessionId) => SessionsPrefix + harness + "/" + sessionId + "/";
        public string SessionMetaKey(string harness, string sessionId) => SessionPrefix(harness, sessionId) + SessionMetaName;
        public const string SessionMetaName = "meta.json";
        /// <summary>A part: <c>part-&lt;5-digit seq&gt;-&lt;8 hex&gt;.jsonl</c> (the random tail keeps two writers of one seq apart).</summary>
        public string SessionPartKey(string harness, string sessionId, int seq, string uuid8) => SessionPrefix(harness, sessionId) + SessionPartName(seq, uuid8);
        public static string SessionPartName(int seq, string uuid8) =>
            "part-" + seq.ToString("D5", System.Globalization.CultureInfo.InvariantCulture) + "-" + uuid8 + ".jsonl";
        private static readonly System.Text.RegularExpressions.Regex PartName =
            new System.Text.RegularExpressions.Regex(@"^part-(\d{5})-([a-f0-9]{8})\.jsonl$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        /// <summary>The sequence number of a part's object name (or key); false for anything else in the session's folder.</summary>
        public static bool TryParseSessionPart(string keyOrName, out int seq, out string uuid8)
        {
            var match = PartName.Match(keyOrName.Substring(keyOrName.LastIndexOf('/') + 1));
            seq = match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
            uuid8 = match.Success ? match.Groups[2].Value : "";
            return match.Success;
        }
    }
}
