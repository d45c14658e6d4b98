using System.Text;

namespace Cairn.Server.Logging;

/// <summary>Turns a record into one line of text, newline included.</summary>
internal interface ILogFormat
{
    void Format(in LogRecord record, StringBuilder line);
}
