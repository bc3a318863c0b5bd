using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using TraceCraft.Protocol;
using TraceCraft.Options;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Reads this agent's inbox: direct messages and other agents' broadcasts, oldest first. Reads are incremental
    /// (only new messages are fetched). -Delete consumes the messages shown: each is shown to exactly one of the
    /// readers of this inbox, then removed: direct ones from the bucket, broadcasts only for this agent (they stay for
    /// everyone else).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "TcInbox", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(Message))]
    public sealed class GetTcInboxCommand : TcCmdlet
    {
        /// <summary>Only messages that no earlier read returned.</summary>
        [Parameter]
        public SwitchParameter Unread { get; set; }

        /// <summary>Block until an unread message arrives (or -Timeout passes: then nothing is returned).</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        /// <summary>Seconds -Wait waits at most (default 300).</summary>
        [Parameter]
        [ValidateRange(TcOptions.MinTimeoutSeconds, TcOptions.MaxTimeoutSeconds)]
        public double Timeout { get; set; } = TcOptions.DefaultTimeoutSeconds;

        /// <summary>Delete the messages returned (broadcasts only for this agent).</summary>
        [Parameter]
        public SwitchParameter Delete { get; set; }

        /// <summary>List the whole inbox again instead of only what is new.</summary>
        [Parameter]
        public SwitchParameter Refresh { get; set; }

        protected override void ProcessItem()
        {
            // -Delete consumes: each message goes to exactly one of the readers of this inbox. Under -WhatIf or -Confirm
            // this is a plain read, so that a "no" leaves no receipt behind that would hold the message back.
            bool asking = MyInvocation.BoundParameters.ContainsKey("WhatIf") || MyInvocation.BoundParameters.ContainsKey("Confirm");
            var query = new InboxQuery { UnreadOnly = Unread, Refresh = Refresh, Take = Delete && !asking };
            IReadOnlyList<Message> messages = Wait ? WaitForMessages(query) : Run((s, ct) => s.Messages.ReadAsync(query, ct));
            foreach (var m in messages) WriteObject(m);
            if (Delete && messages.Count > 0)
            {
                var chosen = messages.Where(m => ShouldProcess($"{m.Kind} message {m.Id} from {m.From}", "Delete")).ToList();
                if (chosen.Count > 0) Run((s, ct) => s.Messages.DeleteAsync(chosen, ct));
            }
        }

        /// <summary>-Wait: polls until a message comes, showing how long it has waited and how long it will wait, as Wait-TcStep does.</summary>
        private IReadOnlyList<Message> WaitForMessages(InboxQuery query)
        {
            const string Activity = "Waiting for a message";
            var progress = new InlineProgress<TimeSpan>(elapsed => Post(() => WriteProgress(new ProgressRecord(2, Activity, $"Nothing new after {elapsed.TotalSeconds:0}s")
            {
                PercentComplete = (int)Math.Min(100, 100 * elapsed.TotalSeconds / Timeout),
                SecondsRemaining = (int)Math.Max(0, Timeout - elapsed.TotalSeconds),
            })));
            var messages = Run((s, ct) => s.Messages.WaitAsync(TimeSpan.FromSeconds(Timeout), query, ct, progress));
            WriteProgress(new ProgressRecord(2, Activity, messages.Count > 0 ? $"{messages.Count} new" : "Timed out") { RecordType = ProgressRecordType.Completed });
            return messages;
        }
    }
}
