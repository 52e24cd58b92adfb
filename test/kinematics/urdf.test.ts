import { expect } from "chai";
import { parseUrdf, toUrdf, UrdfError } from "../../kinematics/urdf.js";
import { parseXml, XmlError } from "../../kinematics/xml.js";
import { KinematicChain } from "../../kinematics/kinematics.js";
import { PANDA_LINKS, pandaDescription } from "../../kinematics/panda.js";

const TWO_LINK = `<?xml version="1.0"?>
<!-- a two-link arm with a mesh visual -->
<robot name="two &amp; link">
  <link name="base"/>
  <link name="upper">
    <inertial><origin xyz="0 0 0.25"/><mass value="1.5"/><inertia ixx="0.03" ixy="0" ixz="0" iyy="0.03" iyz="0" izz="0.001"/></inertial>
    <visual><geometry><mesh filename="package://arm/upper.dae"/></geometry></visual>
    <collision><origin xyz="0 0 0.25" rpy="0 0 0"/><geometry><cylinder radius="0.04" length="0.5"/></geometry></collision>
  </link>
  <joint name="shoulder" type="revolute">
    <parent link="base"/><child link="upper"/>
    <origin xyz="0 0 0.1" rpy="0 0 0"/>
    <axis xyz="0 1 0"/>
    <limit lower="-1.5" upper="1.5" effort="50" velocity="2"/>
  </joint>
</robot>`;

describe("URDF loading", () => {
  it("round-trips the Panda description exactly", () => {
    const panda = pandaDescription();
    const text = toUrdf(panda);
    expect(parseUrdf(text)).to.deep.equal(panda);
    // And the round-tripped robot has the same kinematics.
    const q = [0.1, -0.4, 0.3, -2, 0.2, 1.9, 0.5];
    const a = new KinematicChain(panda, PANDA_LINKS.base, PANDA_LINKS.tcp).fk(q);
    const b = new KinematicChain(parseUrdf(text), PANDA_LINKS.base, PANDA_LINKS.tcp).fk(q);
    expect(Array.from(b)).to.deep.equal(Array.from(a));
  });

  it("reads links, inertials, primitive and mesh geometry, joints, defaults and entities", () => {
    const robot = parseUrdf(TWO_LINK);
    expect(robot.name).to.equal("two & link");
    expect(robot.links.map((l) => l.name)).to.deep.equal(["base", "upper"]);
    const upper = robot.links[1]!;
    expect(upper.inertial).to.deep.equal({ origin: { xyz: [0, 0, 0.25], rpy: [0, 0, 0] }, mass: 1.5, inertia: { ixx: 0.03, ixy: 0, ixz: 0, iyy: 0.03, iyz: 0, izz: 0.001 } });
    expect(upper.visuals[0]!.geometry).to.deep.equal({ kind: "mesh", filename: "package://arm/upper.dae", scale: [1, 1, 1] });
    expect(upper.collisions[0]!.geometry).to.deep.equal({ kind: "cylinder", radius: 0.04, length: 0.5 });
    expect(robot.joints[0]).to.deep.include({ name: "shoulder", type: "revolute", parent: "base", child: "upper", axis: [0, 1, 0] });
    expect(robot.joints[0]!.limits).to.deep.equal({ lower: -1.5, upper: 1.5, effort: 50, velocity: 2 });
    const tip = new KinematicChain(robot, "base", "upper").fk([Math.PI / 2]);
    expect(tip[11]).to.be.closeTo(0.1, 1e-12);
  });

  const broken: [string, string, RegExp][] = [
    ["a revolute joint without limits", TWO_LINK.replace(/<limit[^>]*\/>/, ""), /revolute joint "shoulder" needs limits/],
    ["an unknown link", TWO_LINK.replace(`<child link="upper"/>`, `<child link="forearm"/>`), /unknown link "forearm"/],
    ["a non-numeric value", TWO_LINK.replace(`value="1.5"`, `value="heavy"`), /link "upper" <mass>: "heavy" is not a finite number/],
    ["a bad axis", TWO_LINK.replace(`<axis xyz="0 1 0"/>`, `<axis xyz="0 1"/>`), /<axis>: "0 1" must be three numbers/],
    ["a floating joint", TWO_LINK.replace(`type="revolute"`, `type="floating"`), /type "floating" is not supported/],
    ["an unknown shape", TWO_LINK.replace(/<cylinder[^>]*\/>/, `<cone radius="1"/>`), /unknown geometry <cone>/],
    ["two roots", TWO_LINK.replace("</robot>", `<link name="loose"/></robot>`), /exactly one root link, found base, loose/],
    ["a non-robot root", `<model name="x"/>`, /root element must be <robot>/],
  ];
  for (const [what, text, message] of broken) {
    it(`rejects ${what}, naming the problem`, () => {
      expect(() => parseUrdf(text)).to.throw(UrdfError, message);
    });
  }

  it("rejects malformed XML with the line, and refuses DOCTYPE", () => {
    expect(() => parseXml("<a>\n<b></a>")).to.throw(XmlError, /line 2: <\/a> closes <b>/);
    expect(() => parseXml(`<!DOCTYPE x [<!ENTITY e "boom">]><x/>`)).to.throw(XmlError, /DOCTYPE/);
    expect(() => parseXml(`<a b="1" b="2"/>`)).to.throw(XmlError, /repeats attribute "b"/);
    expect(parseXml(`<a t="&lt;&#65;&#x42;"><![CDATA[<raw>]]></a>`)).to.deep.equal({ name: "a", attributes: { t: "<AB" }, children: [], text: "<raw>" });
  });
});
