using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using TraceCraft.Bench.Infrastructure;
using TraceCraft.Bench.Results;
using TraceCraft.Wire;
using TraceCraft.Protocol;
using TraceCraft.Storage;

namespace TraceCraft.Bench.Scenarios
{
    /// <summary>
    /// 3. Messaging integrity. 32 senders (separate sessions) send 30 messages each to one recipient as fast as they
    /// can, all starting at one gate, while the recipient polls its unread messages. Every message must be returned
    /// by exactly one unread read (none lost, none twice), each read sorted by sent_at, every sender's messages in the
    /// order it sent them, and a final full read must hold all of them, sorted.
    /// </summary>
    public sealed class MessagingIntegrityScenario : IScenario
    {
        private const string Recipient = "recipient";

        public string Name => "messaging";

        public async Task RunAsync(BenchContext context)
        {
            var result = context.Run.Messaging ??= new MessagingResult();
            foreach (var backend in context.Backends)
            {
                var run = await RunOnAsync(context, backend).ConfigureAwait(false);
                result.Runs.Add(run);
                if (!run.Ok)
                    context.Fail($"messaging {backend.Name}: expected {run.Expected}, delivered {run.Delivered}, lost {run.Lost}, duplicates {run.Duplicates}, unexpected {run.Unexpected}, unsorted reads {run.UnsortedReads}, sender order violations {run.SenderOrderViolations}, final read {run.FinalReadCount} (sorted {run.FinalReadSorted}), stored {run.StoredObjects}");
                context.Log($"messaging {backend.Name}: {run.Delivered}/{run.Expected} delivered in {run.RecipientReads} reads, send wall {run.SendWallMs:0} ms");
            }
        }

        private static async Task<MessagingRun> RunOnAsync(BenchContext context, BenchBackend backend)
        {
            int senders = context.Profile.Senders, perSender = context.Profile.MessagesPerSender, expected = senders * perSender;
            string project = context.Project("messaging-" + backend.Name);
            var counter = new RequestCounter();
            using var recipient = backend.Session(project, Recipient, counter.Observe);
            var senderSessions = Enumerable.Range(0, senders).Select(i => backend.Session(project, $"sender{i:00}")).ToArray();
            try
            {
                // Warm the clients: one read each (nothing there yet).
                await Task.WhenAll(senderSessions.Select(s => s.Store.GetAsync(project + "/warmup"))).ConfigureAwait(false);
                await recipient.Messages.ReadAsync(new InboxQuery { UnreadOnly = true }).ConfigureAwait(false);
                counter.TakeAndReset();

                var sentReturnedAt = new ConcurrentDictionary<string, long>();
                var sendLatency = new ConcurrentBag<double>();
                var gate = new StartGate();
                var sending = senderSessions.Select(async (session, s) =>
                {
                    await gate.Opened.ConfigureAwait(false);
                    for (int m = 0; m < perSender; m++)
                    {
                        string text = Text(s, m);
                        long start = Time.Now;
                        await session.Messages.SendAsync(Recipient, text).ConfigureAwait(false);
                        long done = Time.Now;
                        sendLatency.Add(Time.Ms(start, done));
                        sentReturnedAt[text] = done;
                    }
                }).ToArray();
                var allSent = Task.WhenAll(sending);

                var seen = new Dictionary<string, int>(StringComparer.Ordinal);
                var observedAt = new Dictionary<string, long>(StringComparer.Ordinal);
                int reads = 0, unsorted = 0;
                long? drainDeadline = null;
                gate.Open();
                var deadline = Time.Now + (long)(120 * System.Diagnostics.Stopwatch.Frequency);
                while (true)
                {
                    bool sendingDone = allSent.IsCompleted;
                    var batch = await recipient.Messages.ReadAsync(new InboxQuery { UnreadOnly = true }).ConfigureAwait(false);
                    long now = Time.Now;
                    reads++;
                    if (!IsSorted(batch)) unsorted++;
                    foreach (var message in batch)
                    {
                        seen[message.Text] = seen.TryGetValue(message.Text, out int n) ? n + 1 : 1;
                        observedAt.TryAdd(message.Text, now);
                    }
                    if (sendingDone && seen.Count >= expected) break;
                    // Once every send returned, anything still missing has 10 s to show up: then it counts as lost.
                    if (sendingDone) drainDeadline ??= Time.Now + 10 * System.Diagnostics.Stopwatch.Frequency;
                    if (Time.Now > deadline || Time.Now > drainDeadline) break;
                    if (batch.Count == 0) await Task.Delay(20).ConfigureAwait(false);
                }
                long sendEnd = sentReturnedAt.Values.DefaultIfEmpty(gate.OpenedAt).Max();
                await allSent.ConfigureAwait(false);

                // Nothing may come back a second time: one more unread read after a pause must be empty.
                await Task.Delay(200).ConfigureAwait(false);
                var again = await recipient.Messages.ReadAsync(new InboxQuery { UnreadOnly = true }).ConfigureAwait(false);
                reads++;
                foreach (var message in again) seen[message.Text] = seen.TryGetValue(message.Text, out int n) ? n + 1 : 1;
                var byMethod = counter.TakeAndReset();

                var final = await recipient.Messages.ReadAsync(new InboxQuery { Refresh = true }).ConfigureAwait(false);
                using var verifier = backend.NewVerifierStore();
                var stored = await verifier.ListAllAsync(new ProjectLayout(project).MessagesPrefix(Recipient)).ConfigureAwait(false);

                var expectedTexts = new HashSet<string>(Enumerable.Range(0, senders).SelectMany(s => Enumerable.Range(0, perSender).Select(m => Text(s, m))), StringComparer.Ordinal);
                int delivered = seen.Keys.Count(expectedTexts.Contains);
                var run = new MessagingRun
                {
                    Backend = backend.Name,
                    Senders = senders,
                    MessagesPerSender = perSender,
                    Expected = expected,
                    Delivered = delivered,
                    Duplicates = seen.Values.Sum(n => n - 1),
                    Lost = expected - delivered,
                    Unexpected = seen.Keys.Count(k => !expectedTexts.Contains(k)),
                    UnsortedReads = unsorted,
                    SenderOrderViolations = SenderOrderViolations(final),
                    FinalReadCount = final.Count,
                    FinalReadSorted = IsSorted(final),
                    StoredObjects = stored.Count,
                    SendWallMs = Time.Ms(gate.OpenedAt, sendEnd),
                    SendLatencyMs = sendLatency.ToArray(),
                    DeliveryLatencyMs = observedAt.Where(p => sentReturnedAt.ContainsKey(p.Key)).Select(p => Time.Ms(sentReturnedAt[p.Key], p.Value)).ToArray(),
                    RecipientReads = reads,
                    RecipientRequests = byMethod.Total,
                    RecipientRequestsByMethod = byMethod.ByMethod,
                };
                run.Ok = run.Lost == 0 && run.Duplicates == 0 && run.Unexpected == 0 && run.UnsortedReads == 0 && run.SenderOrderViolations == 0
                         && run.FinalReadCount == expected && run.FinalReadSorted && run.StoredObjects == expected;
                return run;
            }
            finally
            {
                foreach (var s in senderSessions) s.Dispose();
            }
        }

        private static string Text(int sender, int message) => $"s{sender:00}-m{message:000}";

        private static bool IsSorted(IReadOnlyList<Message> messages)
        {
            for (int i = 1; i < messages.Count; i++)
                if (messages[i].SentAt < messages[i - 1].SentAt) return false;
            return true;
        }

        /// <summary>Within each sender, the messages in sent_at order must be in the order they were sent (m ascending).</summary>
        private static int SenderOrderViolations(IReadOnlyList<Message> messages)
        {
            int violations = 0;
            foreach (var group in messages.GroupBy(m => m.From))
            {
                var sequence = group.OrderBy(m => m.SentAt).Select(m => int.Parse(m.Text.Substring(m.Text.IndexOf("-m", StringComparison.Ordinal) + 2), System.Globalization.CultureInfo.InvariantCulture)).ToList();
                for (int i = 1; i < sequence.Count; i++)
                    if (sequence[i] < sequence[i - 1]) violations++;
            }
            return violations;
        }
    }
}
