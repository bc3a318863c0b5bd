using System.Management.Automation;
using TraceCraft.PowerShell.Completers;
using TraceCraft.Protocol;
using TraceCraft.Options;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Claims steps. A claim is one atomic conditional create: of many agents claiming at once exactly one wins,
    /// and every loser gets a StepAlreadyClaimed error naming the winner. With -LeaseSeconds the claim expires
    /// unless renewed (Update-TcStep -Renew, or automatically while Wait-TcStep runs); an expired claim may be
    /// taken over by another agent (again exactly one wins) and the old holder's later writes are refused.
    /// Lease times follow the S3 server's clock (its Date header), so agents whose clocks disagree by more than
    /// 2 s still agree on expiry; skew below that shortens or lengthens a lease by at most that much.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Request, "TcStep", DefaultParameterSetName = IdSet)]
    [OutputType(typeof(StepClaim))]
    public sealed class RequestTcStepCommand : TcCmdlet
    {
        private const string IdSet = "Id";
        private const string NextSet = "Next";

        /// <summary>The steps to claim (e.g. from Get-TcStep -Ready).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("StepId", "Step")]
        [ArgumentCompleter(typeof(StepIdCompleter))]
        public string[] Id { get; set; } = System.Array.Empty<string>();

        /// <summary>
        /// Claim one ready step (declared, dependencies complete, nobody holds it, not finished or failed): higher
        /// -Priority first, random among equals, so that many workers spread out. Returns nothing when none is ready.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = NextSet)]
        public SwitchParameter Next { get; set; }

        /// <summary>With -Next: only steps whose id matches this wildcard.</summary>
        [Parameter(ParameterSetName = NextSet)]
        [ArgumentCompleter(typeof(StepIdCompleter))]
        public string? Filter { get; set; }

        /// <summary>Claim even when a declared dependency of the step is not complete.</summary>
        [Parameter(ParameterSetName = IdSet)]
        public SwitchParameter IgnoreDependencies { get; set; }

        /// <summary>Lease length in seconds; without it the claim never expires (the original's behaviour).</summary>
        [Parameter]
        [ValidateRange(TcOptions.MinLeaseSeconds, TcOptions.MaxLeaseSeconds)]
        public double? LeaseSeconds { get; set; }

        protected override void ProcessItem()
        {
            if (Next)
            {
                var next = Run((s, ct) => s.Claims.ClaimNextAsync(Filter, LeaseSeconds, ct));
                if (next is null) WriteVerbose(Filter is null ? "No ready step." : $"No ready step matches {Filter}.");
                else WriteObject(next);
                return;
            }
            var options = new ClaimOptions { LeaseSeconds = LeaseSeconds, IgnoreDependencies = IgnoreDependencies };
            foreach (var id in Id)
                ForItem(() => WriteObject(Run((s, ct) => s.Claims.ClaimAsync(id, options, ct))));
        }
    }
}
