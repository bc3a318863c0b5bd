using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using TraceCraft.PowerShell.Completers;
using TraceCraft.Protocol;
using TraceCraft.Options;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Waits until all the steps are complete, then emits them. Polls with cheap conditional reads (about a
    /// quarter second to react, at most 4 requests per second per step), shows progress, fails at once with
    /// StepBlocked when a step is blocked, rides out a store outage until the deadline, and ends with WaitTimeout
    /// when -Timeout passes. Leased claims this session holds are renewed while it waits. Ctrl+C stops at once.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Wait, "TcStep")]
    [OutputType(typeof(Step))]
    public sealed class WaitTcStepCommand : TcCmdlet
    {
        private readonly List<string> _steps = new List<string>();

        /// <summary>The steps to wait for (piped steps are collected and waited for together).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("StepId", "Step")]
        [ArgumentCompleter(typeof(StepIdCompleter))]
        public string[] Id { get; set; } = Array.Empty<string>();

        /// <summary>Seconds to wait at most (default 300).</summary>
        [Parameter]
        [ValidateRange(TcOptions.MinTimeoutSeconds, TcOptions.MaxTimeoutSeconds)]
        public double Timeout { get; set; } = TcOptions.DefaultTimeoutSeconds;

        protected override void ProcessItem() => _steps.AddRange(Id);

        protected override void EndItems()
        {
            var ids = _steps.Distinct(StringComparer.Ordinal).ToList();
            var progress = new InlineProgress<WaitProgress>(p => Post(() => Show(p)));
            var steps = Run((s, ct) => s.Barriers.WaitAsync(ids, TimeSpan.FromSeconds(Timeout), progress, ct));
            WriteProgress(new ProgressRecord(1, "Waiting for steps", "All complete") { RecordType = ProgressRecordType.Completed });
            foreach (var step in steps) WriteObject(step);
        }

        private void Show(WaitProgress p)
        {
            int done = p.Total - p.Open.Count;
            string review = p.NeedsReview.Count > 0 ? $"; needs review: {string.Join(", ", p.NeedsReview)}" : "";
            string trouble = p.LastError is null ? "" : "; store trouble, retrying";
            var record = new ProgressRecord(1, "Waiting for steps", $"{done} of {p.Total} complete; open: {string.Join(", ", p.Open)}{review}{trouble}")
            {
                PercentComplete = (int)(100.0 * done / p.Total),
                SecondsRemaining = (int)Math.Max(0, (p.Timeout - p.Elapsed).TotalSeconds),
            };
            WriteProgress(record);
        }
    }
}
