/* The machine's push ceiling: the least any registry must do to take a pushed blob, in C, so that
 * bigblob.py can say how near zotd comes to what this machine allows, not only to its SHA-256 rate.
 *
 *     cc -O2 -pthread -o pushceiling pushceiling.c -lcrypto
 *     pushceiling PORT DIRECTORY
 *
 * Serves HTTP/1.1 on 127.0.0.1:PORT, one request per connection, one connection at a time. A request with a
 * body (Content-Length) is what a push must do and nothing more: the body is received into a ring of four
 * 2 MiB buffers by the connection's thread, hashed in order by a second thread and written past the page
 * cache (O_DIRECT, where the file system takes it) by a third, into DIRECTORY/blob; after fdatasync the answer
 * is 201 when the SHA-256 matches the request's `digest=sha256:...`, 400 when not. Any other request gets 200.
 * No HTTP beyond that, no metadata, no second copy: what zotd adds to this is its whole cost as a server.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

enum { RING = 4, BUFFER = 2 << 20, ALIGN = 4096 };

/* The ring: the receiver fills buffer `filled % RING`, the hasher and the writer each follow in order. */
static struct {
    char *bytes[RING];
    size_t length[RING];
    long filled, hashed, written;
    int last; /* the receiver is done: `filled` is final */
    pthread_mutex_t lock;
    pthread_cond_t moved;
} ring = {.lock = PTHREAD_MUTEX_INITIALIZER, .moved = PTHREAD_COND_INITIALIZER};

static EVP_MD_CTX *hash;
static int file;
static int write_failed;

/* Waits until `*position` has a filled buffer behind it; -1 when there is none and never will be. */
static int next_buffer(long *position) {
    pthread_mutex_lock(&ring.lock);
    while (*position >= ring.filled && !ring.last) pthread_cond_wait(&ring.moved, &ring.lock);
    int index = *position < ring.filled ? (int)(*position % RING) : -1;
    pthread_mutex_unlock(&ring.lock);
    return index;
}

static void advance(long *position) {
    pthread_mutex_lock(&ring.lock);
    (*position)++;
    pthread_cond_broadcast(&ring.moved);
    pthread_mutex_unlock(&ring.lock);
}

static void *hasher(void *unused) {
    (void)unused;
    for (int i; (i = next_buffer(&ring.hashed)) >= 0; advance(&ring.hashed))
        EVP_DigestUpdate(hash, ring.bytes[i], ring.length[i]);
    return NULL;
}

static void *writer(void *unused) {
    (void)unused;
    off_t offset = 0;
    for (int i; (i = next_buffer(&ring.written)) >= 0; advance(&ring.written)) {
        size_t length = ring.length[i];
        if (length % ALIGN) /* the tail: direct I/O takes whole blocks only */
            fcntl(file, F_SETFL, fcntl(file, F_GETFL) & ~O_DIRECT);
        if (pwrite(file, ring.bytes[i], length, offset) != (ssize_t)length) write_failed = 1;
        offset += (off_t)length;
    }
    return NULL;
}

static void answer(int connection, const char *status) {
    char reply[128];
    int n = snprintf(reply, sizeof reply, "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
    send(connection, reply, (size_t)n, MSG_NOSIGNAL);
}

static void serve(int connection, const char *path) {
    static char head[65536];
    size_t have = 0;
    char *body = NULL;
    while (!body) {
        ssize_t n = recv(connection, head + have, sizeof head - 1 - have, 0);
        if (n <= 0) return;
        have += (size_t)n;
        head[have] = 0;
        if ((body = strstr(head, "\r\n\r\n"))) body += 4;
    }
    char *header = strcasestr(head, "\r\ncontent-length:");
    long long length = header ? atoll(header + 17) : 0;
    if (length <= 0) {
        answer(connection, "200 OK");
        return;
    }
    char *query = strstr(head, "digest=sha256:");
    char expected[65] = {0};
    if (query) memcpy(expected, query + 14, 64);

    file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0644);
    if (file < 0) file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (file < 0) {
        answer(connection, "500 Internal Server Error");
        return;
    }
    EVP_DigestInit_ex(hash, EVP_sha256(), NULL);
    ring.filled = ring.hashed = ring.written = 0;
    ring.last = write_failed = 0;
    pthread_t threads[2];
    pthread_create(&threads[0], NULL, hasher, NULL);
    pthread_create(&threads[1], NULL, writer, NULL);

    size_t early = have - (size_t)(body - head); /* body bytes that came with the head */
    long long received = 0;
    while (received < length) {
        pthread_mutex_lock(&ring.lock);
        while (ring.filled - ring.hashed >= RING || ring.filled - ring.written >= RING)
            pthread_cond_wait(&ring.moved, &ring.lock);
        pthread_mutex_unlock(&ring.lock);
        int i = (int)(ring.filled % RING);
        size_t fill = 0;
        if (early) {
            memcpy(ring.bytes[i], body, early);
            fill = early;
            early = 0;
        }
        while (fill < BUFFER && received + (long long)fill < length) {
            long long left = length - received - (long long)fill;
            size_t room = (long long)(BUFFER - fill) < left ? BUFFER - fill : (size_t)left;
            ssize_t n = recv(connection, ring.bytes[i] + fill, room, 0);
            if (n <= 0) break;
            fill += (size_t)n;
        }
        if (fill == 0) break;
        ring.length[i] = fill;
        received += (long long)fill;
        advance(&ring.filled);
    }
    pthread_mutex_lock(&ring.lock);
    ring.last = 1;
    pthread_cond_broadcast(&ring.moved);
    pthread_mutex_unlock(&ring.lock);
    pthread_join(threads[0], NULL);
    pthread_join(threads[1], NULL);
    int synced = fdatasync(file) == 0;
    close(file);

    unsigned char digest[32];
    char actual[65];
    EVP_DigestFinal_ex(hash, digest, NULL);
    for (int k = 0; k < 32; k++) sprintf(actual + 2 * k, "%02x", digest[k]);
    int whole = received == length && synced && !write_failed;
    answer(connection, whole && strcmp(actual, expected) == 0 ? "201 Created" : "400 Bad Request");
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: pushceiling PORT DIRECTORY\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/blob", argv[2]);
    for (int i = 0; i < RING; i++) ring.bytes[i] = aligned_alloc(ALIGN, BUFFER);
    hash = EVP_MD_CTX_new();

    int listener = socket(AF_INET, SOCK_STREAM, 0), on = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(listener, (struct sockaddr *)&address, sizeof address) || listen(listener, 16)) {
        perror("pushceiling");
        return 1;
    }
    for (;;) {
        int connection = accept(listener, NULL, NULL);
        if (connection < 0) continue;
        serve(connection, path);
        close(connection);
    }
}
