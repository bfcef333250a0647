//! CycloneDX formulation (1.5+): formulas, workflows, tasks, steps, triggers, inputs and
//! outputs, workspaces. Read from JSON and XML alike into the model, written back whole in
//! both; SPDX has no place for them and the conversion report says so; a malformed one is a
//! reported issue, never a panic.

use supply_sbom::convert::{convert, Stage};
use supply_sbom::format::{read, write, OutputFormat};
use supply_sbom::model::{
    AttachedText, Dependency, EnvironmentVar, ExternalRef, Formula, Input, InputValue, Output,
    OutputValue, Package, Parameter, Property, ResourceReference, Sbom, Step, Task, Trigger,
    Volume, Workflow, Workspace,
};
use supply_sbom::validate::IssueKind;

const VERSIONS: [&str; 3] = ["1.5", "1.6", "1.7"];

fn file(version: &str, ext: &str) -> String {
    format!("sbom/cyclonedx/{version}/valid-formulation-{version}.{ext}")
}

fn sbom(rel: &str) -> Sbom {
    let d = read(&supply_testkit::read(rel)).unwrap();
    assert!(d.report.is_valid(), "{rel}: {}", d.report);
    d.sbom
}

fn reference(r: &str) -> Option<ResourceReference> {
    Some(ResourceReference::Ref(r.into()))
}

fn property(name: &str, value: &str) -> Property {
    Property {
        name: name.into(),
        value: value.into(),
    }
}

/// What the specification's formulation example states, whatever the version and encoding.
fn assert_example(f: &[Formula], src: &str) {
    assert_eq!(f.len(), 1, "{src}");
    let f = &f[0];
    assert_eq!(f.id.as_deref(), Some("formula-1"), "{src}");
    assert_eq!(f.components.len(), 1, "{src}");
    let c = &f.components[0];
    assert_eq!(
        (c.id.as_str(), c.name.as_str(), c.version.as_deref()),
        ("component-1", "Pipeline controller image", Some("v0.47.0")),
        "{src}"
    );
    assert_eq!(c.purpose.as_deref(), Some("platform"), "{src}");
    assert!(f.files.is_empty() && f.relationships.is_empty() && f.services.is_empty());
    assert_eq!(f.workflows.len(), 1, "{src}");
    let w = &f.workflows[0];
    assert_eq!(w.id, "workflow-1", "{src}");
    assert_eq!(w.uid, "8edb2b08-e2c7-11ed-b5ea-0242ac120002", "{src}");
    assert_eq!(w.name.as_deref(), Some("My workflow"), "{src}");
    assert_eq!(
        w.description.as_deref(),
        Some("Workflow description here"),
        "{src}"
    );
    assert_eq!(w.resource_references, [reference("component-a").unwrap()]);
    assert_eq!(w.task_dependencies.len(), 1, "{src}");
    assert_eq!(w.task_dependencies[0].reference, "task-1", "{src}");
    assert_eq!(w.task_dependencies[0].depends_on, ["task-2"], "{src}");

    // The task.
    assert_eq!(w.tasks.len(), 1, "{src}");
    let t = &w.tasks[0];
    assert_eq!(
        (t.id.as_str(), t.uid.as_str(), t.name.as_deref()),
        ("task-1", "task-uid-1", Some("fetch-repository")),
        "{src}"
    );
    assert_eq!(t.task_types, ["clone", "build"], "{src}");
    let tt = t.trigger.as_ref().unwrap();
    assert_eq!(
        (tt.id.as_str(), tt.uid.as_str(), tt.kind.as_str()),
        ("trigger-1", "trigger-1", "api"),
        "{src}"
    );
    assert_eq!(t.steps.len(), 1, "{src}");
    assert_eq!(t.steps[0].name.as_deref(), Some("My step"), "{src}");
    assert!(t.steps[0].commands.is_empty(), "{src}");
    assert_eq!(
        t.inputs[0].value,
        Some(InputValue::Resource(reference("component-a").unwrap()))
    );
    assert_eq!(
        t.outputs[0].value,
        Some(OutputValue::Resource(reference("component-b").unwrap()))
    );
    assert_eq!(
        t.time_start.as_deref(),
        Some("2023-01-01T00:00:00+00:00"),
        "{src}"
    );
    assert_eq!(t.workspaces.len(), 1, "{src}");
    assert_eq!(
        (t.workspaces[0].id.as_str(), t.workspaces[0].uid.as_str()),
        ("workspace-1", "workspace-uid-1"),
        "{src}"
    );
    assert_eq!(t.runtime_topology.len(), 1, "{src}");

    // The workflow's trigger, with its event, condition, inputs and outputs.
    let tr = w.trigger.as_ref().unwrap();
    assert_eq!(tr.id, "trigger-2", "{src}");
    assert_eq!(tr.name.as_deref(), Some("My trigger"), "{src}");
    assert_eq!(tr.kind, "api", "{src}");
    let e = tr.event.as_ref().unwrap();
    assert_eq!(e.uid.as_deref(), Some("event-1"), "{src}");
    assert_eq!(
        e.time_received.as_deref(),
        Some("2023-01-01T00:00:00+00:00"),
        "{src}"
    );
    let data = e.data.as_ref().unwrap();
    assert_eq!(data.content_type, "text/plain", "{src}");
    assert_eq!(data.encoding, None, "{src}");
    assert_eq!(e.source, reference("component-g"), "{src}");
    assert_eq!(e.target, reference("component-h"), "{src}");
    assert_eq!(
        e.properties.iter().collect::<Vec<_>>(),
        [("Foo", "Bar")],
        "{src}"
    );
    assert_eq!(tr.conditions.len(), 1, "{src}");
    assert_eq!(tr.conditions[0].expression.as_deref(), Some("1 == 1"));
    assert_eq!(
        tr.time_activated.as_deref(),
        Some("2023-01-01T00:00:00+00:00"),
        "{src}"
    );
    let input = &tr.inputs[0];
    assert_eq!(
        (
            input.value.clone(),
            input.source.clone(),
            input.target.clone()
        ),
        (
            Some(InputValue::Resource(reference("component-10").unwrap())),
            reference("component-11"),
            reference("component-12")
        ),
        "{src}"
    );
    let output = &tr.outputs[0];
    assert_eq!(output.kind.as_deref(), Some("artifact"), "{src}");
    assert_eq!(output.source, reference("component-15"), "{src}");

    // The workflow's step, its command, and environment variables in and out.
    let step = &w.steps[0];
    assert_eq!(step.description.as_deref(), Some("Description here"));
    assert_eq!(step.commands.len(), 1, "{src}");
    assert_eq!(step.commands[0].executed.as_deref(), Some("ls -las"));
    assert_eq!(step.commands[0].properties.get("Foo"), Some("Bar"));
    let pair = EnvironmentVar::Property(property("Foo", "Bar"));
    let plain = EnvironmentVar::Value("FooBar".into());
    let envs = [
        vec![pair.clone()],
        vec![plain.clone()],
        vec![pair.clone(), plain.clone()],
    ];
    let inputs: Vec<_> = w.inputs.iter().map(|i| i.value.clone()).collect();
    let outputs: Vec<_> = w.outputs.iter().map(|o| o.value.clone()).collect();
    assert_eq!(
        inputs,
        envs.clone()
            .map(|e| Some(InputValue::EnvironmentVars(e)))
            .to_vec(),
        "{src}"
    );
    assert_eq!(
        outputs,
        envs.map(|e| Some(OutputValue::EnvironmentVars(e))).to_vec(),
        "{src}"
    );
    assert_eq!(
        w.time_start.as_deref(),
        Some("2023-01-01T00:00:00+00:00"),
        "{src}"
    );

    // The workflow's workspace and its volume.
    assert_eq!(w.workspaces.len(), 1, "{src}");
    let ws = &w.workspaces[0];
    assert_eq!(ws.uid, "workspace-1", "{src}");
    assert_eq!(ws.aliases, ["default-workspace"], "{src}");
    assert_eq!(ws.access_mode.as_deref(), Some("read-write"), "{src}");
    assert_eq!(ws.mount_path.as_deref(), Some("/tmp/workspace"), "{src}");
    assert_eq!(ws.managed_data_type.as_deref(), Some("ConfigMap"), "{src}");
    assert_eq!(
        ws.volume_request.as_deref(),
        Some("requestedVolumeClaim"),
        "{src}"
    );
    let v = ws.volume.as_ref().unwrap();
    assert_eq!(
        (
            v.uid.as_deref(),
            v.mode.as_deref(),
            v.size_allocated.as_deref()
        ),
        (Some("volume-1"), Some("filesystem"), Some("10GB")),
        "{src}"
    );
    assert_eq!((v.persistent, v.remote), (Some(true), Some(false)), "{src}");
    assert_eq!(w.runtime_topology.len(), 1, "{src}");
    assert_eq!(w.runtime_topology[0].reference, "component-s", "{src}");
    assert_eq!(w.runtime_topology[0].depends_on, ["component-r"], "{src}");
    assert_eq!(w.properties.get("Foo"), Some("Bar"), "{src}");
}

/// 1.6 and 1.7 give the same formulation in JSON and XML. The 1.5 files are not twins: the
/// specification's XML differs from its JSON in six values, each asserted here; with those
/// set alike, the rest reads the same.
#[test]
fn formulation_reads_the_same_from_json_and_xml() {
    for version in VERSIONS {
        let j = sbom(&file(version, "json"));
        let mut x = sbom(&file(version, "xml"));
        assert_example(&j.formulation, &file(version, "json"));
        assert_example(&x.formulation, &file(version, "xml"));
        // The BOM's own component is not the formula's.
        assert_eq!(j.packages.len(), 1, "{version}");
        assert_eq!(j.packages[0].name, "org.example/mylibrary", "{version}");
        let jw = &j.formulation[0].workflows[0];
        assert_eq!(jw.task_types, ["clone", "build"], "{version}");
        assert_eq!(
            jw.trigger.as_ref().unwrap().event.as_ref().unwrap().data,
            Some(AttachedText::new("Foo/Bar"))
        );
        if version == "1.5" {
            let xw = &mut x.formulation[0].workflows[0];
            let tr = xw.trigger.as_mut().unwrap();
            assert_eq!(tr.uid, "trigger-uid-1");
            tr.uid = "trigger-uid-2".into();
            let data = tr.event.as_mut().unwrap().data.as_mut().unwrap();
            assert_eq!(data.content, "FooBar");
            data.content = "Foo/Bar".into();
            assert_eq!(xw.task_types, ["clean", "build"]);
            xw.task_types[0] = "clone".into();
            assert_eq!(jw.time_end.as_deref(), Some("2023-01-01T00:00:00+10:00"));
            assert_eq!(xw.time_end.as_deref(), Some("2023-01-01T00:00:00+00:00"));
            xw.time_end.clone_from(&jw.time_end);
            assert_eq!(jw.workspaces[0].id, "workspace-1");
            assert_eq!(xw.workspaces[0].id, "workspace-2");
            xw.workspaces[0].id = "workspace-1".into();
            let topology = &mut xw.tasks[0].runtime_topology[0];
            assert_eq!(
                (topology.reference.as_str(), topology.depends_on.as_slice()),
                ("component-1", &["component-2".to_string()][..])
            );
            topology.reference = "task-1".into();
            topology.depends_on = vec!["task-2".into()];
        } else {
            assert_eq!(
                jw.time_end.as_deref(),
                Some("2023-01-01T00:00:10+00:00"),
                "{version}"
            );
            assert_eq!(jw.workspaces[0].id, "workspace-2", "{version}");
        }
        assert_eq!(j.formulation, x.formulation, "{version}");
    }
}

fn formulation_losses(c: &supply_sbom::convert::Conversion) -> Vec<String> {
    c.losses
        .iter()
        .filter(|l| l.what.contains("formula"))
        .map(ToString::to_string)
        .collect()
}

/// Every formulation example, written in either encoding, reads back valid to the same
/// formulation, and the conversion reports nothing of it lost.
#[test]
fn formulation_is_written_back_whole() {
    for version in VERSIONS {
        for ext in ["json", "xml"] {
            let src = file(version, ext);
            let before = sbom(&src);
            for to in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
                let out = write(&before, to);
                let back = read(&out).unwrap();
                if (version, ext, to) == ("1.5", "json", OutputFormat::CycloneDxXml) {
                    // The 1.5 JSON gives the task's and the workflow's workspace one bom-ref,
                    // which JSON Schema cannot see and the XSD's xs:unique can: the ids are
                    // written as they are (references name them), and the XML reader says so.
                    let dup: Vec<_> = back.report.issues().iter().map(|i| &i.kind).collect();
                    assert_eq!(
                        dup,
                        [&IssueKind::DuplicateId {
                            id: "workspace-1".into()
                        }],
                        "{src} -> {to}"
                    );
                } else {
                    assert!(back.report.is_valid(), "{src} -> {to}: {}", back.report);
                }
                assert_eq!(back.sbom.formulation, before.formulation, "{src} -> {to}");
                // And once more: what we wrote, we write the same.
                assert_eq!(write(&back.sbom, to), out, "{src} -> {to}");

                let c = convert(&supply_testkit::read(&src), to).unwrap();
                assert_eq!(c.output, out, "{src} -> {to}");
                let lost = formulation_losses(&c);
                assert!(lost.is_empty(), "{src} -> {to}: {lost:?}");
            }
        }
    }
    // The JSON is where the schema puts it, in the spelling of the source.
    let out = write(&sbom(&file("1.6", "json")), OutputFormat::CycloneDxJson);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let w = &v["formulation"][0]["workflows"][0];
    assert_eq!(w["taskTypes"], serde_json::json!(["clone", "build"]));
    assert_eq!(w["tasks"][0]["trigger"]["type"], "api");
    assert_eq!(
        w["trigger"]["event"]["data"],
        serde_json::json!({"content": "Foo/Bar", "contentType": "text/plain"})
    );
    assert_eq!(
        w["inputs"][2]["environmentVars"],
        serde_json::json!([{"name": "Foo", "value": "Bar"}, "FooBar"])
    );
    assert_eq!(
        w["workspaces"][0]["volume"]["persistent"],
        serde_json::json!(true)
    );
    // A document without formulation writes no `formulation` member (or element).
    let plain = sbom("sbom/cyclonedx/1.6/valid-bom-1.6.json");
    let v: serde_json::Value =
        serde_json::from_slice(&write(&plain, OutputFormat::CycloneDxJson)).unwrap();
    assert!(v.get("formulation").is_none());
    let xml = String::from_utf8(write(&plain, OutputFormat::CycloneDxXml)).unwrap();
    assert!(!xml.contains("<formulation"));
}

/// What the examples do not show: parameters, attached data with an encoding, external
/// references, `provides`, nested and file components, services, empty lists. Built in the
/// model, written in JSON and XML, read back equal and valid.
#[test]
fn every_part_of_a_formula_survives_both_encodings() {
    let mut sbom = Sbom::new();
    let mut f = Formula::default();
    f.id = Some("formula-x".into());
    let mut image = Package::default();
    image.id = "image".into();
    image.name = "builder".into();
    image.purpose = Some("container".into());
    let mut tool = Package::default();
    tool.id = "tool".into();
    tool.name = "cc".into();
    tool.version = Some("13".into());
    tool.purpose = Some("application".into());
    f.components = vec![image, tool];
    let mut lib = supply_sbom::model::File::default();
    lib.id = "libc".into();
    lib.name = "libc.so.6".into();
    lib.checksums = vec![supply_sbom::model::Checksum {
        algorithm: "SHA1".into(),
        value: "da39a3ee5e6b4b0d3255bfef95601890afd80709".into(),
    }];
    f.files = vec![lib];
    f.relationships = vec![relationship("image", "tool"), relationship("image", "libc")];
    let mut svc = supply_sbom::model::Service::default();
    svc.id = "registry".into();
    svc.name = "registry".into();
    f.services = vec![svc];
    f.properties.push("ci", "yes");

    let external = ResourceReference::External(ExternalRef {
        category: "OTHER".into(),
        kind: "vcs".into(),
        locator: "https://example.com/repo.git".into(),
        comment: Some("the sources".into()),
    });
    let mut params = Input::default();
    let mut p = Parameter::default();
    p.name = Some("level".into());
    p.value = Some("3".into());
    p.data_type = Some("int".into());
    params.value = Some(InputValue::Parameters(vec![p, Parameter::default()]));
    params.source = Some(external.clone());
    params.properties.push("k", "v");
    let mut data = Input::default();
    let mut json = AttachedText::new("e30=");
    json.content_type = "application/json".into();
    json.encoding = Some("base64".into());
    data.value = Some(InputValue::Data(json));
    let mut none = Input::default();
    none.value = Some(InputValue::EnvironmentVars(Vec::new()));
    let mut log = Output::default();
    log.value = Some(OutputValue::Data(AttachedText::new("<built & <tested>")));
    log.kind = Some("log".into());
    log.target = Some(external.clone());
    let mut step = Step::default();
    let mut cmd = supply_sbom::model::Command::default();
    cmd.executed = Some("make && make \"install\"".into());
    step.commands = vec![cmd, supply_sbom::model::Command::default()];
    let mut trigger = Trigger::default();
    trigger.id = "t".into();
    trigger.uid = "t-uid".into();
    trigger.kind = "webhook".into();
    trigger.resource_references = vec![external.clone()];
    let mut ws = Workspace::default();
    ws.id = "ws".into();
    ws.uid = String::new();
    let mut vol = Volume::default();
    vol.mode = Some("block".into());
    vol.properties.push("fast", "true");
    ws.volume = Some(vol);
    let mut task = Task::default();
    task.id = "build".into();
    task.uid = "build-uid".into();
    task.task_types = vec!["build".into(), "test".into()];
    task.inputs = vec![params, data, none];
    task.outputs = vec![log];
    task.steps = vec![step, Step::default()];
    task.trigger = Some(trigger);
    task.workspaces = vec![ws];
    let mut dep = Dependency::default();
    dep.reference = "build".into();
    dep.depends_on = vec!["fetch".into()];
    dep.provides = vec!["spec".into()];
    let mut w = Workflow::default();
    w.id = "w".into();
    w.uid = "w-uid".into();
    // No task types: the list is required, and written empty.
    w.tasks = vec![task];
    w.task_dependencies = vec![dep.clone()];
    w.runtime_topology = vec![dep];
    f.workflows = vec![w];
    sbom.formulation = vec![f, Formula::default()];

    for to in [OutputFormat::CycloneDxJson, OutputFormat::CycloneDxXml] {
        let out = write(&sbom, to);
        let back = read(&out).unwrap();
        assert!(back.report.is_valid(), "{to}: {}", back.report);
        assert_eq!(back.sbom.formulation, sbom.formulation, "{to}");
        let text = String::from_utf8(out).unwrap();
        if to == OutputFormat::CycloneDxJson {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            // The writer nests the components as the formula's relationships say.
            let components = v["formulation"][0]["components"].as_array().unwrap();
            assert_eq!(components.len(), 1, "{text}");
            assert_eq!(components[0]["components"].as_array().unwrap().len(), 2);
            // Required, so written empty too.
            assert_eq!(
                v["formulation"][0]["workflows"][0]["taskTypes"],
                serde_json::json!([])
            );
            // Keys in byte order, as every JSON writer writes them.
            let mut sorted = serde_json::to_string_pretty(&v).unwrap();
            sorted.push('\n');
            assert_eq!(text, sorted);
        } else {
            assert!(text.contains("<taskTypes/>"), "{text}");
            assert!(text.contains("<provides ref=\"spec\"/>"), "{text}");
        }
    }
}

fn relationship(from: &str, to: &str) -> supply_sbom::model::Relationship {
    supply_sbom::model::Relationship {
        from: from.into(),
        kind: supply_sbom::model::RelationshipType::contains(),
        to: to.into(),
    }
}

/// SPDX 2.3 and 3.0 have no element for a formula: the conversion says it is lost, and what
/// is written is still valid.
#[test]
fn spdx_cannot_hold_formulation_and_the_report_says_so() {
    for version in VERSIONS {
        let src = supply_testkit::read(&file(version, "json"));
        for to in [
            OutputFormat::SpdxJson,
            OutputFormat::SpdxTagValue,
            OutputFormat::Spdx3JsonLd,
        ] {
            let c = convert(&src, to).unwrap();
            let lost = c
                .losses
                .iter()
                .find(|l| l.stage == Stage::Write && l.what == "formulation")
                .unwrap_or_else(|| panic!("{version} -> {to}: {:?}", c.losses));
            assert_eq!(lost.count, 1, "{version} -> {to}");
            // Read from CycloneDX, nothing of it is lost reading.
            assert!(
                !c.losses
                    .iter()
                    .any(|l| l.stage == Stage::Read && l.what.contains("formulation")),
                "{version} -> {to}: {:?}",
                c.losses
            );
            let back = read(&c.output).unwrap();
            assert!(back.report.is_valid(), "{version} -> {to}: {}", back.report);
            assert!(back.sbom.formulation.is_empty());
        }
    }
}

fn issues(doc: &[u8]) -> Vec<(String, IssueKind)> {
    read(doc)
        .unwrap()
        .report
        .issues()
        .iter()
        .map(|i| (i.path.clone(), i.kind.clone()))
        .collect()
}

fn has_wrong_type(issues: &[(String, IssueKind)], path: &str, field: &str) -> bool {
    issues.iter().any(|(p, k)| {
        p == path && matches!(k, IssueKind::WrongType { field: f, .. } if *f == field)
    })
}

/// Values of the wrong JSON type are reported where they are (the reader's `WrongType`), the
/// rest of the document is still read, and nothing panics.
#[test]
fn a_malformed_formulation_is_reported_not_a_panic() {
    let head = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "formulation": "#;
    let doc = |f: &str| format!("{head}{f}}}").into_bytes();

    let i = issues(&doc(r#"3"#));
    assert!(has_wrong_type(&i, "/formulation", "formulation"), "{i:?}");

    let d = read(&doc(r#"[{"bom-ref": "f", "workflows": 3}]"#)).unwrap();
    let i: Vec<_> = d
        .report
        .issues()
        .iter()
        .map(|i| (i.path.clone(), i.kind.clone()))
        .collect();
    assert!(
        has_wrong_type(&i, "/formulation/0/workflows", "workflows"),
        "{i:?}"
    );
    // The formula itself is still read.
    assert_eq!(d.sbom.formulation.len(), 1);
    assert_eq!(d.sbom.formulation[0].id.as_deref(), Some("f"));

    let d = read(&doc(
        r#"[{"workflows": [{"bom-ref": "w", "uid": "u", "taskTypes": ["build"],
             "tasks": [{"bom-ref": "t", "uid": "v", "taskTypes": ["test"], "steps": "make"},
                       {"bom-ref": "t2", "uid": 7, "taskTypes": "build", "trigger": "push",
                        "timeStart": "yesterday", "inputs": [{"environmentVars": [3]}],
                        "workspaces": [{"bom-ref": "ws", "uid": "x", "volume": {"persistent": "true"}}]}]}]}]"#,
    ))
    .unwrap();
    let i: Vec<_> = d
        .report
        .issues()
        .iter()
        .map(|i| (i.path.clone(), i.kind.clone()))
        .collect();
    let task = "/formulation/0/workflows/0/tasks";
    assert!(
        has_wrong_type(&i, &format!("{task}/0/steps"), "steps"),
        "{i:?}"
    );
    assert!(has_wrong_type(&i, &format!("{task}/1/uid"), "uid"), "{i:?}");
    assert!(
        has_wrong_type(&i, &format!("{task}/1/taskTypes"), "taskTypes"),
        "{i:?}"
    );
    assert!(
        has_wrong_type(&i, &format!("{task}/1/trigger"), "trigger"),
        "{i:?}"
    );
    assert!(
        has_wrong_type(
            &i,
            &format!("{task}/1/inputs/0/environmentVars/0"),
            "environmentVars"
        ),
        "{i:?}"
    );
    // A JSON string is not a boolean, even `"true"` (XML's text is).
    assert!(
        has_wrong_type(
            &i,
            &format!("{task}/1/workspaces/0/volume/persistent"),
            "persistent"
        ),
        "{i:?}"
    );
    assert!(
        i.iter().any(|(p, k)| p == &format!("{task}/1/timeStart")
            && matches!(k, IssueKind::Timestamp { .. })),
        "{i:?}"
    );
    let w = &d.sbom.formulation[0].workflows[0];
    assert_eq!(w.tasks.len(), 2);
    assert!(w.tasks[0].steps.is_empty());
    assert_eq!(w.tasks[1].uid, "");

    // Values outside their vocabularies, missing required members, and an input that is two
    // things at once.
    let i = issues(&doc(
        r#"[{"workflows": [{"name": "w", "taskTypes": ["compile"],
             "trigger": {"bom-ref": "t", "uid": "u", "type": "cron"},
             "inputs": [{"resource": {"ref": "a"}, "data": {"content": "x"}}],
             "outputs": [{"resource": {"ref": "b"}, "type": "binary"}]}]}]"#,
    ));
    let w = "/formulation/0/workflows/0";
    let at = |p: String, what: &str| {
        assert!(
            i.iter()
                .any(|(q, k)| *q == p && format!("{k}").contains(what)),
            "{p} {what}: {i:?}"
        );
    };
    at(format!("{w}/taskTypes/0"), "compile");
    at(format!("{w}/trigger/type"), "cron");
    at(format!("{w}/outputs/0/type"), "binary");
    at(format!("{w}/inputs/0"), "2 of resource");
    at(w.to_string(), "bom-ref");
    at(w.to_string(), "uid");

    // XML: a task without its required task types, a trigger without a type.
    let xml = br#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <formulation><formula><workflows><workflow bom-ref="w"><uid>u</uid>
    <tasks><task bom-ref="t"><uid>v</uid><trigger bom-ref="tr"><uid>x</uid></trigger></task></tasks>
    <taskTypes><taskType>build</taskType></taskTypes>
  </workflow></workflows></formula></formulation>
</bom>"#;
    let i = issues(xml);
    let t = "/formulation/0/workflows/0/tasks/0";
    assert!(
        i.iter()
            .any(|(p, k)| p == t
                && matches!(k, IssueKind::Missing { field } if *field == "taskTypes")),
        "{i:?}"
    );
    assert!(
        i.iter().any(|(p, k)| *p == format!("{t}/trigger")
            && matches!(k, IssueKind::Missing { field } if *field == "type")),
        "{i:?}"
    );

    // Formulation is 1.5's: a 1.4 document that has it is reported.
    let i = issues(
        br#"{"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1, "formulation": [{}]}"#,
    );
    assert!(i.iter().any(|(p, _)| p == "/formulation"), "{i:?}");
}
