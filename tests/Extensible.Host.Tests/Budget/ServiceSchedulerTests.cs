using Extensible.Hosting.Budget;

namespace Extensible.Host.Tests.Budget;

public sealed class ServiceSchedulerTests
{
    [Fact]
    public async Task Blocking_work_never_runs_on_more_than_MaxThreads_and_all_of_it_completes()
    {
        using var scheduler = new ServiceScheduler("test", 1, 3);
        var running = 0;
        var peak = 0;
        var threads = new System.Collections.Concurrent.ConcurrentDictionary<int, byte>();

        var work = Enumerable.Range(0, 40).Select(_ => scheduler.RunAsync(async () =>
        {
            await Task.Yield();
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            threads[Environment.CurrentManagedThreadId] = 0;
            Thread.Sleep(10);
            Interlocked.Decrement(ref running);
            await Task.Delay(1, TestContext.Current.CancellationToken);
            threads[Environment.CurrentManagedThreadId] = 0;
        }, TestContext.Current.CancellationToken)).ToList();
        await Task.WhenAll(work).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.InRange(peak, 1, 3);
        Assert.InRange(threads.Count, 1, 3);
        Assert.InRange(scheduler.ThreadCount, 1, 3);
    }

    [Fact]
    public async Task Continuations_resume_on_the_service_threads()
    {
        using var scheduler = new ServiceScheduler("test", 1, 2);
        var names = new List<string?>();

        await scheduler.RunAsync(async () =>
        {
            names.Add(Thread.CurrentThread.Name);
            await Task.Delay(5, TestContext.Current.CancellationToken);
            names.Add(Thread.CurrentThread.Name);
            await Task.Yield();
            names.Add(Thread.CurrentThread.Name);
        }, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.All(names, n => Assert.Equal("test worker", n));
    }

    [Fact]
    public async Task Work_that_waits_for_other_work_finds_a_thread_while_the_budget_allows()
    {
        // Each item blocks until the next one runs: a lost wakeup would leave the chain stuck with threads to spare.
        using var scheduler = new ServiceScheduler("test", 1, 4);
        for (var round = 0; round < 200; round++)
        {
            using var second = new ManualResetEventSlim();
            var first = scheduler.RunAsync(() =>
            {
                var inner = scheduler.RunAsync(() =>
                {
                    second.Set();
                    return Task.CompletedTask;
                });
                Assert.True(second.Wait(TimeSpan.FromSeconds(20)), $"round {round}: the second item never got a thread");
                return inner;
            }, TestContext.Current.CancellationToken);
            await first.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Idle_threads_retire_down_to_MinThreads_and_not_below()
    {
        using var scheduler = new ServiceScheduler("test", 2, 6, idleLifetime: TimeSpan.FromMilliseconds(50));
        using var gate = new ManualResetEventSlim();
        var blocked = Enumerable.Range(0, 6).Select(_ => scheduler.RunAsync(() =>
        {
            gate.Wait(TimeSpan.FromSeconds(30));
            return Task.CompletedTask;
        }, TestContext.Current.CancellationToken)).ToList();
        await WaitUntilAsync(() => scheduler.BusyThreads == 6);
        gate.Set();
        await Task.WhenAll(blocked).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        await WaitUntilAsync(() => scheduler.ThreadCount == 2);

        // Several idle periods later it is still at the minimum, and still serves work.
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(60, TestContext.Current.CancellationToken);
            Assert.Equal(2, scheduler.ThreadCount);
        }

        await scheduler.RunAsync(() => Task.CompletedTask, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Many_producers_with_short_idle_lifetime_lose_no_work()
    {
        using var scheduler = new ServiceScheduler("test", 0, 3, idleLifetime: TimeSpan.FromMilliseconds(1));
        var done = 0;
        var producers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                await scheduler.RunAsync(() =>
                {
                    Interlocked.Increment(ref done);
                    return Task.CompletedTask;
                });
                if (i % 50 == 0)
                {
                    await Task.Delay(2);
                }
            }
        })).ToList();

        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(2000, done);
        Assert.InRange(scheduler.ThreadCount, 0, 3);
    }

    [Fact]
    public async Task Resize_up_serves_work_queued_at_the_old_maximum()
    {
        using var scheduler = new ServiceScheduler("test", 1, 1);
        using var gate = new ManualResetEventSlim();
        var blocker = scheduler.RunAsync(() =>
        {
            gate.Wait(TimeSpan.FromSeconds(30));
            return Task.CompletedTask;
        }, TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => scheduler.BusyThreads == 1);
        var queued = scheduler.RunAsync(() => Task.CompletedTask, TestContext.Current.CancellationToken);
        Assert.Equal(1, scheduler.QueueLength);

        scheduler.Resize(1, 2);

        await queued.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.False(blocker.IsCompleted);
        gate.Set();
        await blocker.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Work_queued_after_dispose_still_runs()
    {
        var scheduler = new ServiceScheduler("test", 1, 1);
        scheduler.Dispose();

        var ran = await Task.Factory.StartNew(() => true, TestContext.Current.CancellationToken, TaskCreationOptions.None, scheduler)
            .WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.True(ran);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.True(condition(), "condition not reached within 30 s");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
