using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using TraceCraft.Config;
using TraceCraft.Errors;
using TraceCraft.Protocol;
using TraceCraft.Storage;

namespace TraceCraft.Worker
{
    /// <summary>One agent process of the concurrency and soak runs: random claims, CAS increments, messages, completes.</summary>
    internal static class AgentLoop
    {
        public static async Task<int> RunAsync(string[] args)
        {
            var config = TcConfig.Parse(args[1], File.ReadAllBytes(args[1])).With(agentId: args[2]);
            double seconds = double.Parse(args[3], CultureInfo.InvariantCulture);
            int steps = int.Parse(args[5], CultureInfo.InvariantCulture);
            string[] peers = args[6].Split(',');
            var random = new Random(Guid.NewGuid().GetHashCode());
            using var session = new TcSession(config, new TcSessionOptions { CacheDirectory = Path.Combine(Path.GetTempPath(), "tcworker-" + Guid.NewGuid().ToString("N")) });
            var held = new List<string>();
            int sequence = 0;
            Program.WaitUntil(long.Parse(args[4], CultureInfo.InvariantCulture));
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed.TotalSeconds < seconds)
            {
                try
                {
                    switch (random.Next(4))
                    {
                        case 0:
                            string step = "s" + random.Next(steps);
                            try
                            {
                                await session.Claims.ClaimAsync(step);
                                held.Add(step);
                                Console.WriteLine("won " + step);
                            }
                            catch (TcException e) when (e.Code is TcErrorCode.StepAlreadyClaimed or TcErrorCode.StepFinished) { }
                            break;
                        case 1:
                            while (true)
                            {
                                var entry = await session.Memory.GetAsync("counter");
                                try
                                {
                                    long value = entry?.Value is long l ? l : 0;
                                    await session.Memory.SetAsync("counter", (value + 1).ToString(CultureInfo.InvariantCulture),
                                        entry is null ? WriteCondition.IfAbsent : WriteCondition.IfMatch(entry.Version!));
                                    Console.WriteLine("inc");
                                    break;
                                }
                                catch (TcException e) when (e.Code == TcErrorCode.MemoryVersionMismatch) { }
                            }
                            break;
                        case 2:
                            string to = peers[random.Next(peers.Length)];
                            string text = $"{config.AgentId}-{sequence++}";
                            await session.Messages.SendAsync(to, text);
                            Console.WriteLine($"sent {to} {text}");
                            break;
                        default:
                            if (held.Count == 0) break;
                            string done = held[random.Next(held.Count)];
                            held.Remove(done);
                            await session.Steps.CompleteAsync(done, new CompletionRequest { Note = "by " + config.AgentId });
                            Console.WriteLine("completed " + done);
                            break;
                    }
                }
                catch (TcException e)
                {
                    Console.Error.WriteLine($"{e.Code}: {e.Message}");
                    return 1;
                }
            }
            return 0;
        }
    }
}
