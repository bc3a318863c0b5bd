using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using TraceCraft.Errors;
using TraceCraft.Protocol;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    /// <summary>
    /// Random interleavings of claim, renew, time passing (leases expiring), take-over and complete by three agents,
    /// checked against a model after every step: at most one agent ever holds a live claim, tokens only grow, each
    /// outcome is the one the model predicts, and a refused (fenced-out) write changes nothing in the bucket.
    /// </summary>
    public sealed class ClaimModelPropertyTests : IClassFixture<FolderBackend>
    {
        private const double Lease = 10;
        private readonly FolderBackend _backend;

        public ClaimModelPropertyTests(FolderBackend backend) => _backend = backend;

        private enum Kind { Claim, Renew, Advance, Complete }

        private sealed record Op(Kind Kind, int Agent, int Seconds)
        {
            public override string ToString() => Kind == Kind.Advance ? $"+{Seconds}s" : $"{Kind}(agent{Agent})";
        }

        private static readonly Gen<Op> OpGen = Gen.Frequency(
            (4, Gen.Int[0, 2].Select(a => new Op(Kind.Claim, a, 0))),
            (2, Gen.Int[0, 2].Select(a => new Op(Kind.Renew, a, 0))),
            (3, Gen.Int[1, 15].Select(s => new Op(Kind.Advance, 0, s))),
            (2, Gen.Int[0, 2].Select(a => new Op(Kind.Complete, a, 0))));

        [Fact]
        public void At_most_one_live_holder_and_no_fenced_out_write_lands()
        {
            OpGen.Array[1, 30].Sample(ops => Check(ops), iter: 300, threads: 1);
        }

        private void Check(Op[] ops)
        {
            var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            string project = TestS3Server.UniqueName("model");
            var agents = Enumerable.Range(0, 3).Select(i => _backend.Session(project, "agent" + i, new TcClock(() => now, TimeSpan.Zero))).ToArray();
            try
            {
                string? holder = null;
                long token = 0;
                DateTimeOffset expires = DateTimeOffset.MinValue;
                bool final = false;
                string? finisher = null;
                foreach (var op in ops)
                {
                    var me = agents[op.Agent];
                    string? statusBefore = Status(me);
                    bool ok;
                    switch (op.Kind)
                    {
                        case Kind.Advance:
                            now = now.AddSeconds(op.Seconds);
                            continue;
                        case Kind.Claim:
                            // A finished step is sealed: nobody claims it again (until it is reopened).
                            bool expect = !final && (holder is null || now >= expires);
                            ok = Try(() => me.Claims.ClaimAsync("s", Lease).GetAwaiter().GetResult());
                            Assert.True(expect == ok, $"claim by {me.AgentId} at {now:T}: expected {expect}; ops {string.Join(", ", ops)}");
                            if (ok) { holder = me.AgentId; token++; expires = now.AddSeconds(Lease); }
                            break;
                        case Kind.Renew:
                            ok = Try(() => me.Claims.RenewAsync("s").GetAwaiter().GetResult());
                            Assert.True((holder == me.AgentId && !final) == ok, $"renew by {me.AgentId}; ops {string.Join(", ", ops)}");
                            if (ok) expires = now.AddSeconds(Lease);
                            break;
                        default:
                            ok = Try(() => me.Steps.CompleteAsync("s", new CompletionRequest { Note = me.AgentId }).GetAwaiter().GetResult());
                            // The holder finishes; a finished step completes again only for its finisher (a retry that
                            // repairs the copies); completing a step nobody holds seals it for the completer.
                            bool allowed = final ? finisher == me.AgentId : holder is null || holder == me.AgentId;
                            Assert.True(allowed == ok, $"complete by {me.AgentId}; ops {string.Join(", ", ops)}");
                            if (ok && !final)
                            {
                                if (holder is null) { holder = me.AgentId; token = 1; }
                                final = true;
                                finisher = me.AgentId;
                            }
                            break;
                    }
                    if (!ok) Assert.Equal(statusBefore, Status(me)); // a refused write changed nothing
                    Assert.Equal(final ? StepStatus.Complete : holder is null ? StepStatus.Pending : StepStatus.InProgress, me.Steps.GetAsync("s").GetAwaiter().GetResult().Status);
                    var durable = me.Claims.ReadAsync("s").GetAwaiter().GetResult();
                    Assert.Equal(holder, durable?.Agent);
                    if (durable is not null) Assert.Equal(token, durable.Token);
                }
            }
            finally
            {
                foreach (var a in agents) a.Dispose();
            }
        }

        private static string? Status(TcSession s)
        {
            var read = s.Store.GetAsync(s.Layout.StatusKey("s")).GetAwaiter().GetResult();
            return read.Found ? read.ETag : null;
        }

        private static bool Try(Action action)
        {
            try
            {
                action();
                return true;
            }
            catch (TcException e) when (e.Code is TcErrorCode.StepAlreadyClaimed or TcErrorCode.StepNotOwned or TcErrorCode.ClaimLost or TcErrorCode.StepNotClaimed or TcErrorCode.InvalidArgument or TcErrorCode.StepFinished)
            {
                return false;
            }
        }
    }
}
