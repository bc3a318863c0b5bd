using System;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Storage;

namespace TraceCraft.Worker
{
    /// <summary>
    /// One racing process. Modes:
    ///   absent-race ROOT PREFIX ROUNDS START_UNIX_MS ID   - put-if-absent on PREFIX/0..ROUNDS-1; prints wins=N
    ///   counter ROOT KEY INCREMENTS START_UNIX_MS         - If-Match increments of a decimal counter; prints retries=N
    ///   churn ROOT PREFIX ROUNDS START_UNIX_MS ID         - writes PREFIX/ID/0..9, then deletes them, ROUNDS times; prints deletes=N
    ///   agent CONFIG AGENT SECONDS START_UNIX_MS STEPS PEERS - a mixed workload through the engine for SECONDS:
    ///       claims of s0..STEPS-1, compare-and-set increments of memory 'counter', messages to PEERS (comma list),
    ///       completes of what it holds; prints one line per success ("won s3", "inc", "sent bob text", "completed s3")
    ///   send / send-one / take ...                          - inbox processes, see <see cref="InboxModes"/>
    /// ROOT is a folder store; CONFIG a .tracecraft.json. All processes wait for START_UNIX_MS so that they really race.
    /// </summary>
    public static class Program
    {
        public static async Task<int> Main(string[] args)
        {
            try
            {
                if (args[0] == "agent") return await AgentLoop.RunAsync(args);
                if (args[0] == "crash") return await CrashAtWrite.RunAsync(args);
                if (InboxModes.Handles(args[0])) return await InboxModes.RunAsync(args);
                using var store = new FolderObjectStore(args[1]);
                WaitUntil(long.Parse(args[4 - (args[0] == "counter" ? 1 : 0)], CultureInfo.InvariantCulture));
                switch (args[0])
                {
                    case "absent-race":
                        int wins = 0, rounds = int.Parse(args[3], CultureInfo.InvariantCulture);
                        for (int i = 0; i < rounds; i++)
                        {
                            var result = await store.PutAsync($"{args[2]}/{i}", Encoding.UTF8.GetBytes(args[5]), WriteCondition.IfAbsent);
                            if (result.Written) wins++;
                        }
                        Console.WriteLine($"wins={wins}");
                        return 0;
                    case "counter":
                        int retries = 0, increments = int.Parse(args[3], CultureInfo.InvariantCulture);
                        for (int i = 0; i < increments; i++)
                        {
                            while (true)
                            {
                                var read = await store.GetAsync(args[2]);
                                long value = read.Found ? long.Parse(Encoding.UTF8.GetString(read.Body!), CultureInfo.InvariantCulture) : 0;
                                var next = Encoding.UTF8.GetBytes((value + 1).ToString(CultureInfo.InvariantCulture));
                                var result = await store.PutAsync(args[2], next, read.Found ? WriteCondition.IfMatch(read.ETag!) : WriteCondition.IfAbsent);
                                if (result.Written) break;
                                retries++;
                            }
                        }
                        Console.WriteLine($"retries={retries}");
                        return 0;
                    case "churn":
                        int deletes = 0, churnRounds = int.Parse(args[3], CultureInfo.InvariantCulture);
                        for (int round = 0; round < churnRounds; round++)
                        {
                            for (int i = 0; i < 10; i++)
                                await store.PutAsync($"{args[2]}/{args[5]}/{i}", Encoding.UTF8.GetBytes(args[5] + round), WriteCondition.None);
                            for (int i = 0; i < 10; i++)
                                if (await store.DeleteAsync($"{args[2]}/{args[5]}/{i}")) deletes++;
                        }
                        Console.WriteLine($"deletes={deletes}");
                        return 0;
                    default:
                        Console.Error.WriteLine("unknown mode " + args[0]);
                        return 2;
                }
            }
            catch (TcException e)
            {
                Console.Error.WriteLine($"{e.Code}: {e.Message}");
                return 1;
            }
        }

        internal static void WaitUntil(long unixMilliseconds)
        {
            long wait = unixMilliseconds - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (wait > 0) Thread.Sleep((int)wait);
        }
    }
}
