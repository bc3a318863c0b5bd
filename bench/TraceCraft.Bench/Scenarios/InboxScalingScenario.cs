using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Bench.Infrastructure;
using TraceCraft.Bench.Results;
using TraceCraft.Protocol;

namespace TraceCraft.Bench.Scenarios
{
    /// <summary>
    /// 4. Inbox scaling. An inbox holds 10, 100, 1,000 or 5,000 old messages plus 10 new ones. A fresh agent reads its
    /// unread messages (first read: everything is new to it); then 10 more arrive and it reads again (later read);
    /// then it reads once more with nothing new (idle poll). Each read's store requests are counted by the session's
    /// observer and timed. Two variants: "aged" old messages were sent two hours ago (by a sender whose clock is set
    /// back, so their keys carry that time); "recent" ones were sent just before, inside the engine's 60 s skew window,
    /// which a later read lists again.
    /// </summary>
    public sealed class InboxScalingScenario : IScenario
    {
        private const string Recipient = "reader";
        private static readonly TimeSpan AgedBy = TimeSpan.FromHours(2);

        public string Name => "inbox";

        public async Task RunAsync(BenchContext context)
        {
            var result = context.Run.Inbox ??= new InboxScalingResult();
            foreach (var backend in context.Backends)
            {
                foreach (var variant in new[] { "aged", "recent" })
                {
                    foreach (int old in context.Profile.InboxOldCounts)
                    {
                        var inboxCase = await RunCaseAsync(context, backend, variant, old).ConfigureAwait(false);
                        result.Cases.Add(inboxCase);
                        if (!inboxCase.Ok)
                            context.Fail($"inbox {backend.Name} {variant} {old}+{inboxCase.New}: first read returned {inboxCase.First.Returned}/{inboxCase.First.Expected}, later {inboxCase.Later.Returned}/{inboxCase.Later.Expected}, idle {inboxCase.Idle.Returned}/0");
                        context.Log($"inbox {backend.Name} {variant} {old}+{inboxCase.New}: first read {inboxCase.First.Requests} requests {inboxCase.First.Ms:0} ms; later read {inboxCase.Later.Requests} requests {inboxCase.Later.Ms:0} ms; idle {inboxCase.Idle.Requests} requests");
                    }
                }
            }
        }

        private static async Task<InboxCase> RunCaseAsync(BenchContext context, BenchBackend backend, string variant, int old)
        {
            int fresh = context.Profile.InboxNewCount;
            string project = context.Project($"inbox-{backend.Name}-{variant}-{old}");
            var oldClock = variant == "aged" ? new TcClock(fixedOffset: -AgedBy) : null;
            using var oldSender = backend.Session(project, "old-sender", clock: oldClock);
            using var newSender = backend.Session(project, "new-sender");
            var counter = new RequestCounter();
            using var reader = backend.Session(project, Recipient, counter.Observe);

            long seeding = Time.Now;
            await SendManyAsync(oldSender, old, "old").ConfigureAwait(false);
            double seedMs = Time.Since(seeding);
            await SendManyAsync(newSender, fresh, "new-1").ConfigureAwait(false);

            // Warm the reader's client on an unrelated key, so the first read is not charged for connecting.
            await reader.Store.GetAsync(project + "/warmup").ConfigureAwait(false);
            counter.TakeAndReset();

            var first = await ReadAsync(reader, counter, old + fresh).ConfigureAwait(false);
            await SendManyAsync(newSender, fresh, "new-2").ConfigureAwait(false);
            var later = await ReadAsync(reader, counter, fresh).ConfigureAwait(false);
            var idle = await ReadAsync(reader, counter, 0).ConfigureAwait(false);
            return new InboxCase
            {
                Backend = backend.Name,
                Variant = variant,
                Old = old,
                New = fresh,
                SeedMs = seedMs,
                First = first,
                Later = later,
                Idle = idle,
                Ok = first.Returned == first.Expected && later.Returned == later.Expected && idle.Returned == 0,
            };
        }

        private static async Task<InboxRead> ReadAsync(TcSession reader, RequestCounter counter, int expected)
        {
            long start = Time.Now;
            var messages = await reader.Messages.ReadAsync(new InboxQuery { UnreadOnly = true }).ConfigureAwait(false);
            double ms = Time.Since(start);
            var (total, byMethod) = counter.TakeAndReset();
            return new InboxRead { Expected = expected, Returned = messages.Count, Requests = total, ByMethod = byMethod, Ms = ms };
        }

        /// <summary>Sends <paramref name="count"/> messages with up to 16 in flight.</summary>
        private static async Task SendManyAsync(TcSession sender, int count, string label)
        {
            using var gate = new SemaphoreSlim(16);
            var sends = Enumerable.Range(0, count).Select(async i =>
            {
                await gate.WaitAsync().ConfigureAwait(false);
                try { await sender.Messages.SendAsync(Recipient, $"{label} {i}").ConfigureAwait(false); }
                finally { gate.Release(); }
            }).ToArray();
            await Task.WhenAll(sends).ConfigureAwait(false);
        }
    }
}
