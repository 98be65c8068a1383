namespace Extensible.Imap.Tests.Unit;

/// <summary>RFC 5256 2.1 base subjects, which SORT (SUBJECT) and both THREAD algorithms group by.</summary>
public sealed class BaseSubjectTests
{
    [Theory]
    [InlineData("Hello", "HELLO")]
    [InlineData("Re: hello", "HELLO")]
    [InlineData("re:RE: Fwd:  hello   world", "HELLO WORLD")]
    [InlineData("Re[2]: hi", "HI")]
    [InlineData("[list] Re: [list] hi", "HI")]
    [InlineData("hello (fwd) (FWD)", "HELLO")]
    [InlineData("[fwd: Re: hello]", "HELLO")]
    [InlineData("[Fwd: [fwd: hello (fwd)]]", "HELLO")]
    [InlineData("[list]", "[LIST]")]
    [InlineData("Reminder", "REMINDER")]
    [InlineData("Fwd hello", "FWD HELLO")]
    [InlineData("re:\t\r\n something", "SOMETHING")]
    [InlineData("", "")]
    [InlineData("   ", "")]
    [InlineData("café", "CAFé")]
    public void ExtractsTheBaseSubject(string subject, string expected) => Assert.Equal(expected, ImapSession.BaseSubject(subject));
}
