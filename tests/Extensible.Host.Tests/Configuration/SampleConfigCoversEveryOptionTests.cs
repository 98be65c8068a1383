using System.Collections;
using System.Reflection;
using Extensible.Hosting.Configuration;
using Extensible.Hosting.Dns;
using Extensible.Hosting.Logging;
using Extensible.Imap;
using Extensible.Pop3;
using Extensible.Processing;
using Extensible.Processing.Filters;
using Extensible.SmtpReceiving;
using Extensible.SmtpSending;
using Extensible.Storage;
using Extensible.Testing;
using Microsoft.Extensions.Configuration;

namespace Extensible.Host.Tests.Configuration;

/// <summary>
/// <c>extensible.sample.json</c> lists every option of the host and of the shipped plugins, with its default
/// (<c>config check</c> accepting the file is <see cref="ConfigCheckTests.AcceptsTheSampleConfigurationWithItsComments"/>).
/// </summary>
public sealed class SampleConfigCoversEveryOptionTests
{
    private static readonly string SamplePath = Path.Combine(RepoPaths.Root, "extensible.sample.json");

    /// <summary>Where each options class is bound from; a new options class belongs here and in the sample.</summary>
    private static readonly (string Path, Type Type)[] Sections =
    [
        ("Server", typeof(ServerOptions)),
        ("Logging", typeof(LoggingOptions)),
        ("Dnr", typeof(DnrOptions)),
        ("Rules", typeof(List<RuleOptions>)),
        // The service keys are the same for every service; the sample spells them out once.
        ("Services:smtp-receiving", typeof(ServiceOptions)),
        ("Services:storage:Options", typeof(StorageOptions)),
        ("Services:processing:Options", typeof(ProcessingOptions)),
        ("Services:processing:Options", typeof(ProcessingFilterOptions)),
        ("Services:smtp-receiving:Options", typeof(SmtpReceivingOptions)),
        ("Services:smtp-sending:Options", typeof(SmtpSendingOptions)),
        ("Services:pop3:Options", typeof(Pop3Options)),
        ("Services:imap:Options", typeof(ImapOptions)),
    ];

    [Fact]
    public void EveryOptionHasAKey()
    {
        var (keys, lines) = Load();
        var missing = new List<string>();
        var documented = new HashSet<Type>();
        var needComment = new Dictionary<Type, string>();
        foreach (var (path, type) in Sections)
        {
            Walk(path, type, keys, missing, documented, needComment);
        }

        // Every SMTP listener shows its listener options.
        var smtpListeners = keys.Where(k => k.StartsWith("Services:smtp-receiving:Listeners:", StringComparison.OrdinalIgnoreCase))
            .Select(k => k.Split(':')[3]).Distinct(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(smtpListeners);
        foreach (var index in smtpListeners)
        {
            Walk($"Services:smtp-receiving:Listeners:{index}:Options", typeof(SmtpListenerOptions), keys, missing, documented, needComment);
        }

        // A null option object or an empty list of them is documented by an example in the comment on or above its key.
        foreach (var (type, name) in needComment)
        {
            if (!documented.Contains(type) && !CommentNamesEveryProperty(lines, name, type))
            {
                missing.Add($"{name}: its comment shows no example with every key of {type.Name} ({string.Join(", ", SettableProperties(type).Select(p => p.Name))})");
            }
        }

        Assert.True(missing.Count == 0, "extensible.sample.json lacks:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void TheSampleValuesAreTheDefaults()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(SamplePath, optional: false, reloadOnChange: false).Build();
        var differences = new List<string>();
        foreach (var (path, type) in Sections.Where(s => !s.Type.IsGenericType))
        {
            var bound = configuration.GetSection(path).Get(type) ?? Activator.CreateInstance(type)!;
            if (bound is ServiceOptions service)
            {
                // The sample binds the standard ports instead of the plugin's defaults; the other listener keys are defaults.
                var listeners = service.Listeners ?? [];
                Assert.NotEmpty(listeners);
                Compare($"{path}:Listeners:0", new ListenerOptions { Name = listeners[0].Name, Address = listeners[0].Address }, listeners[0], differences);
                service.Listeners = null;
            }

            Compare(path, Activator.CreateInstance(type), bound, differences);
        }

        foreach (var listener in configuration.GetSection("Services:smtp-receiving:Listeners").GetChildren())
        {
            Compare($"{listener.Path}:Options", new SmtpListenerOptions(), listener.GetSection("Options").Get<SmtpListenerOptions>() ?? new SmtpListenerOptions(), differences);
        }

        Assert.True(differences.Count == 0, "extensible.sample.json differs from the defaults:\n" + string.Join('\n', differences));
    }

    private static (HashSet<string> Keys, string[] Lines) Load()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(SamplePath, optional: false, reloadOnChange: false).Build();

        // AsEnumerable keeps keys whose value is null or an empty list/object, which Exists() reports as absent.
        var keys = configuration.AsEnumerable().Select(pair => pair.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return (keys, File.ReadAllLines(SamplePath));
    }

    private static void Walk(string path, Type type, HashSet<string> keys, List<string> missing, HashSet<Type> documented, Dictionary<Type, string> needComment)
    {
        if (ListElement(type) is { } element)
        {
            if (HasChildren(keys, $"{path}:0"))
            {
                Walk($"{path}:0", element, keys, missing, documented, needComment);
            }
            else
            {
                // An empty list (e.g. Dnr:NameServers) has an example element in the comment.
                needComment.TryAdd(element, path.Split(':')[^1]);
            }

            return;
        }

        documented.Add(type);
        foreach (var property in SettableProperties(type))
        {
            var key = $"{path}:{property.Name}";
            if (!keys.Contains(key))
            {
                missing.Add(key);
                continue;
            }

            var propertyType = property.PropertyType;
            if (IsOptionClass(propertyType) || ListElement(propertyType) is not null)
            {
                if (IsOptionClass(propertyType) && !HasChildren(keys, key))
                {
                    // A null object (e.g. SmtpSending's SmartHost) has its keys in the comment.
                    needComment.TryAdd(propertyType, property.Name);
                    continue;
                }

                Walk(key, propertyType, keys, missing, documented, needComment);
            }
        }
    }

    private static bool HasChildren(HashSet<string> keys, string path) =>
        keys.Any(k => k.StartsWith(path + ":", StringComparison.OrdinalIgnoreCase));

    /// <summary>The key's line and the comment lines right above it name every property in quotes.</summary>
    private static bool CommentNamesEveryProperty(string[] lines, string name, Type type)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].Contains($"\"{name}\":", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var text = lines[i];
            for (var j = i - 1; j >= 0 && lines[j].TrimStart().StartsWith("//", StringComparison.Ordinal); j--)
            {
                text += lines[j];
            }

            if (SettableProperties(type).All(p => text.Contains($"\"{p.Name}\"", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<PropertyInfo> SettableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0);

    /// <summary>A class of Extensible's whose properties are options (not a string, collection or dictionary).</summary>
    private static bool IsOptionClass(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type)
        && type.Assembly.GetName().Name!.StartsWith("Extensible", StringComparison.Ordinal);

    /// <summary>The element type of a list of option classes, else null (lists of strings are plain values).</summary>
    private static Type? ListElement(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) && IsOptionClass(type.GetGenericArguments()[0]))
        {
            return type.GetGenericArguments()[0];
        }

        return null;
    }

    /// <summary>Names every property whose bound value differs from the default; JSON null binds as an empty string.</summary>
    private static void Compare(string path, object? expected, object? actual, List<string> differences)
    {
        if (expected is null || actual is null || expected is string || actual is string || expected.GetType().IsValueType)
        {
            if (!Equals(expected is "" ? null : expected, actual is "" ? null : actual))
            {
                differences.Add($"{path}: default {Show(expected)}, sample {Show(actual)}");
            }

            return;
        }

        if (expected is IDictionary expectedDictionary && actual is IDictionary actualDictionary)
        {
            if (expectedDictionary.Count != actualDictionary.Count)
            {
                differences.Add($"{path}: default has {expectedDictionary.Count} entries, sample {actualDictionary.Count}");
            }

            return;
        }

        if (expected is IList expectedList && actual is IList actualList)
        {
            if (expectedList.Count != actualList.Count)
            {
                differences.Add($"{path}: default [{string.Join(", ", expectedList.Cast<object>())}], sample [{string.Join(", ", actualList.Cast<object>())}]");
                return;
            }

            for (var i = 0; i < expectedList.Count; i++)
            {
                Compare($"{path}:{i}", expectedList[i], actualList[i], differences);
            }

            return;
        }

        foreach (var property in SettableProperties(expected.GetType()))
        {
            Compare($"{path}:{property.Name}", property.GetValue(expected), property.GetValue(actual), differences);
        }
    }

    private static string Show(object? value) => value is null ? "null" : $"'{value}'";
}
