using TraceCraft.Protocol;

namespace TraceCraft.Wire
{
    /// <summary>
    /// <c>messages/&lt;recipient&gt;/&lt;ns&gt;_&lt;sender&gt;_&lt;hex8&gt;.json</c>: the original's <c>{"from", "to", "message", "sent_at"}</c>,
    /// written and read exactly as it does (see docs/wire-format.md). Messages are immutable once sent.
    /// </summary>
    internal static class MessageWire
    {
        public static byte[] Write(Message message) => WireJson.Write(w =>
        {
            w.WriteString("from", message.From);
            w.WriteString("to", message.To);
            w.WriteString("message", message.Text);
            w.WriteTime("sent_at", message.SentAt);
        });

        /// <summary>
        /// Reads a message. Whether it is a broadcast comes from the folder it was listed in, never from its <c>to</c>,
        /// which another client may have written differently.
        /// </summary>
        public static Message Read(string key, byte[] body, bool broadcast)
        {
            using var wire = WireJson.Read(key, body);
            return new Message
            {
                Id = ProjectLayout.MessageIdOf(key),
                From = wire.RequiredString("from"),
                To = wire.OptionalString("to") ?? "",
                Kind = broadcast ? MessageKind.Broadcast : MessageKind.Direct,
                Text = wire.OptionalString("message") ?? "",
                SentAt = wire.RequiredTime("sent_at"),
                Key = key,
            };
        }
    }
}
