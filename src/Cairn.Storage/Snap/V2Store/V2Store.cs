namespace Cairn.Storage.Snap.V2Store;

/// <summary>
/// etcd's v2 store (<c>etcdserver/api/v2store</c>) as far as an etcd 3.4 server uses it: the tree
/// that holds the cluster membership under <c>/0</c> and v2 keys under <c>/1</c>, whose JSON is the
/// data of every raft snapshot. Operations follow etcd's exactly (the store index, the indexes
/// given to implicitly created directories, the event recorded, the counters), so that the same
/// operations give the same JSON. Expiring (TTL) keys are kept as read but never created.
/// Not thread-safe: the server applies membership changes on one thread.
/// </summary>
public sealed class V2Store
{
    /// <summary>The namespace of cluster state (membership, cluster version).</summary>
    public const string ClusterPrefix = "/0";

    /// <summary>The namespace of v2 API keys.</summary>
    public const string KeysPrefix = "/1";

    /// <summary>The store version etcd writes (<c>CurrentVersion</c>).</summary>
    public const int DefaultVersion = 2;

    private readonly HashSet<string> _readOnly;
    private readonly TimeProvider _time;

    /// <summary>A new store with <paramref name="namespaces"/> as permanent, read-only directories.</summary>
    public V2Store(IEnumerable<string> namespaces, TimeProvider? time = null)
        : this(V2Node.NewDirectory("/", 0), new V2EventHistory(), 0, new V2StoreStats(), DefaultVersion, namespaces, time)
    {
        foreach (string ns in namespaces)
        {
            Root.Children![GoPath.Split(ns).File] = V2Node.NewDirectory(ns, 0);
        }
    }

    internal V2Store(V2Node root, V2EventHistory history, ulong currentIndex, V2StoreStats stats, int currentVersion,
        IEnumerable<string> namespaces, TimeProvider? time)
    {
        Root = root;
        History = history;
        CurrentIndex = currentIndex;
        Stats = stats;
        CurrentVersion = currentVersion;
        _readOnly = new HashSet<string>(namespaces.Append("/"), StringComparer.Ordinal);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The namespaces an etcd server creates its store with.</summary>
    public static IReadOnlyList<string> EtcdNamespaces { get; } = [ClusterPrefix, KeysPrefix];

    public V2Node Root { get; }

    public V2EventHistory History { get; }

    /// <summary>The store's modification counter: one per successful write.</summary>
    public ulong CurrentIndex { get; private set; }

    public V2StoreStats Stats { get; }

    public int CurrentVersion { get; }

    /// <summary>An empty store as an etcd server starts with one (namespaces /0 and /1).</summary>
    public static V2Store NewEtcdStore(TimeProvider? time = null) => new(EtcdNamespaces, time);

    /// <summary>The node at <paramref name="path"/>, or null; does not count as a read.</summary>
    public V2Node? Find(string path)
    {
        try
        {
            return InternalGet(path);
        }
        catch (V2StoreException)
        {
            return null;
        }
    }

    /// <summary>A read (counted in the stats, as etcd's <c>Get</c>); throws when absent.</summary>
    public V2Node Get(string path) => Counted("gets", () => InternalGet(path));

    /// <summary>Creates a key or directory that must not exist; missing parent directories are created.</summary>
    public V2Event Create(string path, bool dir, string value) =>
        Counted("create", () => Notify(InternalCreate(path, dir, value, replace: false, V2Event.Create)));

    /// <summary>Creates or replaces a key (or creates a directory).</summary>
    public V2Event Set(string path, bool dir, string value) => Counted("sets", () =>
    {
        V2Node? previous = null;
        try
        {
            previous = InternalGet(path);
        }
        catch (V2StoreException e) when (e.Code == V2ErrorCode.KeyNotFound)
        {
        }
        var created = InternalCreate(path, dir, value, replace: true, V2Event.Set);
        if (previous is not null)
        {
            created = created with { PrevNode = previous.Repr(_time.GetUtcNow()) with { Key = path } };
        }
        return Notify(created);
    });

    /// <summary>Changes the value of an existing key (a directory only to an empty value).</summary>
    public V2Event Update(string path, string value) => Counted("update", () =>
    {
        path = GoPath.Absolute(path);
        EnsureWritable(path);
        ulong next = CurrentIndex + 1;
        var node = InternalGet(path);
        if (node.IsDirectory && value.Length != 0)
        {
            throw new V2StoreException(V2ErrorCode.NotFile, path, CurrentIndex);
        }
        var previous = node.Repr(_time.GetUtcNow());
        if (!node.IsDirectory)
        {
            node.Value = value;
            node.ModifiedIndex = next;
        }
        node.ExpireTime = GoTime.Zero;
        var e = new V2Event(V2Event.Update, new V2NodeExtern
        {
            Key = path,
            Value = node.IsDirectory ? null : value,
            Dir = node.IsDirectory,
            ModifiedIndex = next,
            CreatedIndex = node.CreatedIndex,
        }, previous);
        Notify(e);
        CurrentIndex = next;
        return e;
    });

    /// <summary>Deletes a key, or a directory when <paramref name="dir"/> (and its content when <paramref name="recursive"/>).</summary>
    public V2Event Delete(string path, bool dir, bool recursive) => Counted("delete", () =>
    {
        path = GoPath.Absolute(path);
        EnsureWritable(path);
        dir |= recursive;
        var node = InternalGet(path);
        ulong next = CurrentIndex + 1;
        var e = new V2Event(V2Event.Delete, new V2NodeExtern
        {
            Key = path,
            Dir = node.IsDirectory,
            ModifiedIndex = next,
            CreatedIndex = node.CreatedIndex,
        }, node.Repr(_time.GetUtcNow()));
        if (node.IsDirectory)
        {
            if (!dir)
            {
                throw new V2StoreException(V2ErrorCode.NotFile, node.Path, CurrentIndex);
            }
            if (node.Children!.Count != 0 && !recursive)
            {
                throw new V2StoreException(V2ErrorCode.DirNotEmpty, node.Path, CurrentIndex);
            }
        }
        Parent(node)?.Children!.Remove(node.Name);
        CurrentIndex++;
        return Notify(e);
    });

    private V2Event InternalCreate(string path, bool dir, string value, bool replace, string action)
    {
        ulong current = CurrentIndex, next = CurrentIndex + 1;
        path = GoPath.Absolute(path);
        EnsureWritable(path);
        var (dirName, name) = GoPath.Split(path);
        V2Node parent;
        try
        {
            parent = Walk(dirName, CheckDirectory);
        }
        catch (V2StoreException e)
        {
            Stats.Increment("setsFail"); // etcd counts a failed parent walk as a failed set, whatever the operation
            throw new V2StoreException(e.Code, e.Cause, current);
        }

        V2NodeExtern? previous = null;
        if (parent.Children!.TryGetValue(name, out var existing))
        {
            if (!replace)
            {
                throw new V2StoreException(V2ErrorCode.NodeExist, path, current);
            }
            if (existing.IsDirectory)
            {
                throw new V2StoreException(V2ErrorCode.NotFile, path, current);
            }
            previous = existing.Repr(_time.GetUtcNow());
            parent.Children.Remove(name);
        }
        var node = dir ? V2Node.NewDirectory(path, next) : V2Node.NewKey(path, value, next);
        parent.Children[name] = node;
        CurrentIndex = next;
        return new V2Event(action, new V2NodeExtern
        {
            Key = path,
            Value = dir ? null : value,
            Dir = dir,
            ModifiedIndex = next,
            CreatedIndex = next,
        }, previous);
    }

    private V2Node InternalGet(string path)
    {
        path = GoPath.Absolute(path);
        return Walk(path, (parent, name) =>
        {
            if (!parent.IsDirectory)
            {
                throw new V2StoreException(V2ErrorCode.NotDir, parent.Path, CurrentIndex);
            }
            return parent.Children!.TryGetValue(name, out var child)
                ? child
                : throw new V2StoreException(V2ErrorCode.KeyNotFound, GoPath.Join(parent.Path, name), CurrentIndex);
        });
    }

    // Follows the components of an absolute path from the root, stopping at an empty component
    // (a trailing slash), as etcd's walk does.
    private V2Node Walk(string path, Func<V2Node, string, V2Node> step)
    {
        string[] components = path.Split('/');
        var current = Root;
        for (int i = 1; i < components.Length; i++)
        {
            if (components[i].Length == 0)
            {
                return current;
            }
            current = step(current, components[i]);
        }
        return current;
    }

    private V2Node CheckDirectory(V2Node parent, string name)
    {
        if (parent.Children!.TryGetValue(name, out var node))
        {
            return node.IsDirectory ? node : throw new V2StoreException(V2ErrorCode.NotDir, node.Path, CurrentIndex);
        }
        var created = V2Node.NewDirectory(GoPath.Join(parent.Path, name), CurrentIndex + 1);
        parent.Children[name] = created;
        return created;
    }

    private V2Node? Parent(V2Node node)
    {
        string parentPath = GoPath.Clean(GoPath.Split(node.Path).Dir);
        return parentPath == node.Path ? null : Find(parentPath);
    }

    private void EnsureWritable(string path)
    {
        if (_readOnly.Contains(path))
        {
            throw new V2StoreException(V2ErrorCode.RootReadOnly, "/", CurrentIndex);
        }
    }

    private V2Event Notify(V2Event e)
    {
        History.Add(e);
        return e;
    }

    private T Counted<T>(string counter, Func<T> operation)
    {
        try
        {
            var result = operation();
            Stats.Increment(counter + "Success");
            return result;
        }
        catch (V2StoreException)
        {
            Stats.Increment(counter + "Fail");
            throw;
        }
    }
}
