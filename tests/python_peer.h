#pragma once
// Runs a peer's script (tests/peers/) with the project venv's Python and reads the JSON lines it
// prints: the one way the tests ask Hugging Face's packages for the values ours must equal; and
// reads the test files those scripts are fed.

#include <nlohmann/json.hpp>

#include <QFile>
#include <QProcess>
#include <QtTest>

#include <vector>

inline QByteArray readAll(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return file.readAll();
}

inline std::vector<nlohmann::json> runPythonPeer(const QString& script, const QStringList& args,
                                                 const QByteArray& input = {})
{
    QProcess python;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("PYTHONHASHSEED", "0"); // the same output on every run
    python.setProcessEnvironment(env);
    python.start(THINKBENCH_PYTHON, QStringList{THINKBENCH_SOURCE_DIR "/tests/peers/" + script} + args);
    python.write(input);
    python.closeWriteChannel();
    if (!python.waitForFinished(600000) || python.exitStatus() != QProcess::NormalExit || python.exitCode() != 0)
        qFatal("peer %s failed (%s, set up by scripts/setup): %s", qPrintable(script), THINKBENCH_PYTHON,
               python.readAllStandardError().constData());
    std::vector<nlohmann::json> rows;
    for (const QByteArray& line : python.readAllStandardOutput().split('\n'))
        if (!line.trimmed().isEmpty())
            rows.push_back(nlohmann::json::parse(line.toStdString()));
    return rows;
}
